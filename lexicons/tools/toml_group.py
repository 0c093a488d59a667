"""A `[[group]]` table of terms as the frame generators (kk_frames.py, ar_frames.py) print it:
terms in the order given, each once, lines of at most 100 characters."""


def group(name, comment, words):
    seen, lines, line = set(), [], "  "
    for w in words:
        if w in seen:
            continue
        seen.add(w)
        item = '"%s", ' % w
        if len(line) + len(item) > 100:
            lines.append(line.rstrip())
            line = "  "
        line += item
    lines.append(line.rstrip())
    return '[[group]]\n# %s\nname = "%s"\nterms = [\n%s\n]\n' % (comment, name, "\n".join(lines))
