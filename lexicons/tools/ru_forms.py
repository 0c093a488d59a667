#!/usr/bin/env python3
"""Russian verb paradigms for the frames in lexicons/ru/frames.toml (a development aid, not a
runtime dependency): `pip install pymorphy3 pymorphy3-dicts-ru`, then

    python3 lexicons/tools/ru_forms.py ROLE LEMMA...

prints the forms of each lemma for ROLE, one TOML string each, ready to paste into a group:
  inf    infinitive                       убить
  imp    imperative, 2nd person sg and pl убей убейте
  fut1   1st person future (perfective verbs), sg and pl: убью убьем
  pp     short and long passive participles: убит убиты убитым
  past   past tense, all genders and numbers: сдох сдохла сдохли
  fut3   3rd person future/present: сдохнет сдохнут

ROLE may join several roles with commas (inf,imp,fut1). With `--group NAME` the forms are printed
as a whole `[[group]]` block for frames.toml, wrapped at 100 columns:

    python3 lexicons/tools/ru_forms.py --group maim_inf_ru inf оторвать отрубить

ё is written е (the normalizer folds it)."""
import sys

import pymorphy3

morph = pymorphy3.MorphAnalyzer()


def lexeme(lemma):
    """Every form of every infinitive reading of `lemma` (a verb may be read as either aspect)."""
    parses = [p for p in morph.parse(lemma) if p.tag.POS == "INFN" and p.normal_form == lemma] or morph.parse(lemma)[:1]
    return [f for p in parses for f in p.lexeme]


def forms(role, lemma):
    out = []
    for f in lexeme(lemma):
        t = f.tag
        ok = {
            "inf": t.POS == "INFN",
            "imp": t.mood == "impr" and t.involvement != "incl",
            "fut1": t.POS == "VERB" and t.person == "1per" and t.mood == "indc" and t.tense == "futr",
            "pp": t.POS in ("PRTS", "PRTF") and t.voice == "pssv" and t.tense == "past" and (t.POS == "PRTS" or t.case in ("nomn", "ablt")),
            "past": t.POS == "VERB" and t.tense == "past",
            "fut3": t.POS == "VERB" and t.person == "3per" and t.mood == "indc" and t.tense in ("futr", "pres"),
        }[role]
        word = f.word.replace("ё", "е")
        if ok and word not in out:
            out.append(word)
    return out


def group_block(name, words, width=100):
    """A frames.toml `[[group]]` block holding `words`, wrapped at `width` columns."""
    lines, line = [], " "
    for w in words:
        item = ' "%s",' % w
        if len(line) + len(item) > width:
            lines.append(line)
            line = " "
        line += item
    if line.strip():
        lines.append(line)
    return "[[group]]\nname = \"%s\"\nterms = [\n%s\n]" % (name, "\n".join(lines))


def main(argv):
    group = None
    if len(argv) > 2 and argv[1] == "--group":
        group, argv = argv[2], argv[:1] + argv[3:]
    if len(argv) < 3:
        print(__doc__)
        return 2
    roles, lemmas = argv[1].split(","), argv[2:]
    words = []
    for lemma in lemmas:
        for role in roles:
            for w in forms(role, lemma):
                if w not in words:
                    words.append(w)
    print(group_block(group, words) if group else ", ".join('"%s"' % w for w in words))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
