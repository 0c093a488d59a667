#!/usr/bin/env python3
"""Writes the verb classes of lexicons/ar/frames.toml from a table of Arabic verbs of killing
and severe harm (MSA and Egyptian, Levantine and Gulf forms):

    python3 lexicons/tools/ar_frames.py > /tmp/ar_verbs.toml

and the groups printed replace those between the GENERATED markers of frames.toml. Written
without hamza, taa marbuta or alif maqsura distinctions (the normalizer folds them); the
proclitics و ف ب ل ك س are matched by the matcher on one-word Arabic terms, so only suffixes and
the future and modal prefixes are generated here."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toml_group import group  # noqa: E402

# (past, imperfect stem, imperative, verbal noun); None where a form is too ambiguous alone.
# ادبح is the dialect spelling of اذبح (ذ written د), ادعس the Gulf word for running over.
VERBS = [
    ("قتل", "قتل", "اقتل", "قتل"), ("ذبح", "ذبح", "اذبح", "ذبح"), ("دبح", "دبح", "ادبح", "دبح"),
    ("حرق", "حرق", "احرق", "حرق"),
    ("شنق", "شنق", "اشنق", "شنق"), ("طعن", "طعن", "اطعن", "طعن"), ("خنق", "خنق", "اخنق", "خنق"),
    ("نحر", "نحر", "انحر", "نحر"), ("سحل", "سحل", "اسحل", "سحل"), ("دهس", "دهس", "ادهس", "دهس"),
    ("دعس", "دعس", "ادعس", "دعس"),
    ("نسف", "نسف", "انسف", "نسف"), ("فجر", "فجر", "فجر", "تفجير"), ("دمر", "دمر", "دمر", "تدمير"),
    ("عذب", "عذب", "عذب", "تعذيب"), ("سمم", "سمم", "سمم", "تسميم"), ("صفي", "صفي", None, "تصفيه"),
    ("اعدم", "عدم", "اعدم", "اعدام"), ("اباد", "بيد", None, "اباده"), ("اغتال", "غتال", "اغتل", "اغتيال"),
    ("صلب", "صلب", "اصلب", "صلب"), ("رجم", "رجم", "ارجم", "رجم"), ("سلخ", "سلخ", "اسلخ", "سلخ"),
]
# Dialect passives (ين-/يت-) are built on the past stem, or on this one; None: no passive (an
# اغتال or اباد passive is not said this way; يترجم and يتصلب are translating and hardening).
# ينفجر/يتفجر is 'explodes', يتعذب 'suffers', يتدمر 'is ruined': no passives of those either.
PASSIVE = {"اعدم": "عدم", "اباد": None, "اغتال": None, "رجم": None, "صلب": None, "فجر": None, "عذب": None,
           "دمر": None}
# Forms left out because they are everyday words: ترجم (translated), تصلب (hardening), نصفي and
# تصفي (settle, clear: نصفي الحسابات), تحرق (you burn: لازم تحرق سعرات); the forms of صفي with
# an object stay.
NOT_TERMS = {"ترجم", "ترجموا", "ترجمو", "ترجمون", "تصلب", "تصلبوا", "تصلبو", "تصلبون"} | {
    p + "صفي" + s for p in "يتن" for s in ["", "وا", "و", "ون"]} | {"تحرق"}
# Verbs said only as a first-person threat with an object (too ambiguous otherwise): علق (hang;
# also comment), موت (make die: هموتك), فرتك (Egyptian tear apart: هفرتكك).
FUT_ONLY = ["علق", "موت", "فرتك"]
# Verbs whose object follows a preposition: ولع في (set on fire), خلص على (finish off).
PHRASAL = [("ولع", "في"), ("خلص", "علي")]
OBJ = ["ه", "ها", "هم", "هن", "ك", "كم", "كي"]
# First-person future and present-as-future prefixes, 1sg (the hamza of أ dropped in dialect
# spellings) and 1pl: MSA س / سوف, Egyptian ه / ح, Levantine رح / راح (with or without the
# alif of the verb) and ب, the oath لـ (لأقتلنك, لاموتك), and the bare verb.
FUT_SG = ["سا", "سوف ا", "ه", "ح", "رح ا", "رح ", "راح ا", "ب", "ا", "لا"]
FUT_PL = ["سن", "سوف ن", "هن", "حن", "رح ن", "راح ن", "بن", "لن"]
# Objects of a threat: you, you all (Levantine كن), him, her, them.
FUT_OBJ = ["ك", "كم", "كن", "ه", "ها", "هم"]
# Futures without an object suffix, said of a named target (سأقتل القاضي, هنولع في الكنايس):
# no bare ب or ا, which read as 'with killing' and the imperative.
BARE_FUT = ["سا", "سوف ا", "ه", "ح", "رح ا", "راح ا", "سن", "سوف ن", "هن", "حن", "رح ن", "راح ن"]


def imperatives(imp, with_obj):
    if imp is None:
        return []
    plain = [imp + "وا", imp + "و"]
    objs = [imp + o for o in OBJ[:4]] + [imp + "و" + o for o in OBJ[:4]] + [imp + "وا" + o for o in OBJ[:4]]
    return objs if with_obj else plain


def futures(impf, objs=FUT_OBJ, prefixes=FUT_SG + FUT_PL):
    forms = [p + impf + o for p in prefixes for o in objs]
    # The oath takes the energetic ن: لأقتلنك, لنذبحنكم.
    return forms + ["لا" + impf + "ن" + o for o in objs] + ["لن" + impf + "ن" + o for o in objs]


def subjunctives(impf, noun):
    bare = [p + impf + s for p in ["ي", "ت", "ن"] for s in ["", "وا", "و", "ون"]]
    objs = [p + impf + s + o for p in ["ي", "ت", "ن"] for s in ["", "و", "وا"] for o in OBJ[:4]]
    nouns = [noun + o for o in ["ه", "ها", "هم", "هن", "كم"]] + [noun.removesuffix("ه") + "ت" + o for o in ["ه", "ها", "هم"] if noun.endswith("ه")]
    return bare, objs + nouns


def passives(past):
    stem = PASSIVE.get(past, past)
    if stem is None:
        return []
    return [p + stem + s for p in ["ين", "يت", "تن", "تت"] for s in ["", "وا", "و"]]


def phrasal(verb, prep):
    """Forms of a verb whose object follows a preposition: futures with a pronoun object
    (هولع فيك), imperatives (ولعوا فيهم), and the bare forms after a necessity word."""
    objs = [prep + o for o in ["ك", "كم", "ه", "ها", "هم"]]
    fut = [p + verb + " " + o for p in FUT_SG[:8] + FUT_PL[:7] for o in objs]
    imp = [verb + s + " " + o for s in ["وا", "و"] for o in objs[2:]]
    subj = [p + verb + s + " " + prep for p in ["ي", "ت", "ن"] for s in ["", "وا", "و"]]
    subj_obj = [p + verb + s + " " + o for p in ["ي", "ت", "ن"] for s in ["", "وا", "و"] for o in objs[2:]]
    bare_fut = [p + verb + " " + prep for p in BARE_FUT]
    return fut, imp, subj, subj_obj, bare_fut


def main():
    imp_obj, imp_bare, fut, fut_bare, subj_bare, subj_obj, subj_tgt, pas, nouns = [], [], [], [], [], [], [], [], []
    for past, impf, imp, noun in VERBS:
        imp_obj += imperatives(imp, True)
        imp_bare += imperatives(imp, False)
        fut += futures(impf)
        fut_bare += [p + impf for p in BARE_FUT]
        b, o = subjunctives(impf, noun)
        subj_bare += b
        subj_obj += o
        pas += passives(past)
        nouns.append(noun)
    for verb in FUT_ONLY:
        # Not after ب or bare (بموته is 'by his death', اعلقه 'I hang it up'), and only 'you'.
        fut += futures(verb, ["ك", "كم", "كن"], [p for p in FUT_SG + FUT_PL if p not in ("ب", "ا")])
    for verb, prep in PHRASAL:
        f, i, s, so, fb = phrasal(verb, prep)
        fut += f
        imp_obj += i
        subj_tgt += s
        subj_obj += so
        fut_bare += fb
    imp_obj += ["اقطعوا رؤوسهم", "اقطعو روسهم", "اقطعوا راسه", "اطلقوا النار عليهم", "اطلقو النار عليهم", "ارموهم بالرصاص",
                "موتوهم", "موتوه", "موتوها"]
    imp_bare += ["اقطعوا رؤوس", "اقطعو روس", "قطعوا رؤوس", "قطعو روس", "اطلقوا النار علي", "اطلقو النار علي"]
    fut_bare += ["ساطلق النار", "سنطلق النار", "رح اطلق النار", "هطلق النار", "هنطلق النار", "ساقطع راس", "سنقطع رؤوس"]
    subj_obj += ["اقطع راسه", "اقطع راسها", "نقطع راسه", "نقطع رؤوسهم", "نقطع روسهم", "اقطع رقبته", "نقطع رقابهم"]
    # Hanging said with يتعلق, which alone is 'relates to'.
    subj_bare += ["يتعلق علي المشنقه", "يتعلقوا علي المشنقه", "يتعلق عالمشنقه", "يتعلق في المشنقه", "يتعلقوا في المشنقه",
                  "يتعلقو علي المشنقه", "يتعلقوا عالمشنقه"]
    keep = lambda forms: [f for f in forms if f not in NOT_TERMS]
    print(group("harm_imp_obj_ar", "Imperatives with their object: اقتلوهم, اذبحوه, احرقهم, ولعوا فيهم.", imp_obj))
    print(group("harm_imp_ar", "Plural imperatives, final alif written or dropped: اقتلوا, اقتلو.", imp_bare))
    print(group("harm_fut1_ar", "First-person futures and oaths with an object: ساقتلك, هقتلك, رح اقتلك, بنقتلكم, لاقتلنك.", fut))
    print(group("harm_fut_bare_ar", "First-person futures without an object, said of a named target: ساقتل, هنقتل, هنولع في.", fut_bare))
    print(group("harm_subj_obj_ar", "After a necessity word, with an object or as a verbal noun: نقتلهم, قتلهم, اعدامهم.", keep(subj_obj)))
    print(group("harm_subj_ar", "After a necessity word, bare: نقتل, يقتلوا, يتقتلوا, ينعدم.", keep(subj_bare + pas)))
    print(group("harm_subj_tgt_ar", "After a necessity word, only with a target: يخلص على (also: finish the work).", subj_tgt))
    print(group("harm_noun_ar", "Verbal nouns: قتل, اعدام, تصفيه, ذبح.", nouns))


if __name__ == "__main__":
    main()
