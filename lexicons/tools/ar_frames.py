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
VERBS = [
    ("قتل", "قتل", "اقتل", "قتل"), ("ذبح", "ذبح", "اذبح", "ذبح"), ("حرق", "حرق", "احرق", "حرق"),
    ("شنق", "شنق", "اشنق", "شنق"), ("طعن", "طعن", "اطعن", "طعن"), ("خنق", "خنق", "اخنق", "خنق"),
    ("نحر", "نحر", "انحر", "نحر"), ("سحل", "سحل", "اسحل", "سحل"), ("دهس", "دهس", "ادهس", "دهس"),
    ("نسف", "نسف", "انسف", "نسف"), ("فجر", "فجر", "فجر", "تفجير"), ("دمر", "دمر", "دمر", "تدمير"),
    ("عذب", "عذب", "عذب", "تعذيب"), ("سمم", "سمم", "سمم", "تسميم"), ("صفي", "صفي", None, "تصفيه"),
    ("اعدم", "عدم", "اعدم", "اعدام"), ("اباد", "بيد", None, "اباده"), ("اغتال", "غتال", "اغتل", "اغتيال"),
    ("صلب", "صلب", "اصلب", "صلب"), ("رجم", "رجم", "ارجم", "رجم"), ("سلخ", "سلخ", "اسلخ", "سلخ"),
]
OBJ = ["ه", "ها", "هم", "هن", "ك", "كم", "كي"]
# First-person future and present-as-future prefixes, 1sg (the hamza of أ dropped in dialect
# spellings) and 1pl: MSA س / سوف, Egyptian ه / ح, Levantine رح / راح and ب, and the bare verb.
FUT_SG = ["سا", "سوف ا", "ه", "ح", "رح ا", "ب", "ا"]
FUT_PL = ["سن", "سوف ن", "هن", "حن", "رح ن", "بن"]
# Objects of a threat: you, you all, him, them.
FUT_OBJ = ["ك", "كم", "ه", "هم"]


def imperatives(imp, with_obj):
    if imp is None:
        return []
    plain = [imp + "وا", imp + "و"]
    objs = [imp + o for o in OBJ[:4]] + [imp + "و" + o for o in OBJ[:4]] + [imp + "وا" + o for o in OBJ[:4]]
    return objs if with_obj else plain


def futures(impf):
    return [p + impf + o for p in FUT_SG + FUT_PL for o in FUT_OBJ]


def subjunctives(impf, noun):
    bare = [p + impf + s for p in ["ي", "ت", "ن"] for s in ["", "وا", "و", "ون"]]
    objs = [p + impf + s + o for p in ["ي", "ت", "ن"] for s in ["", "و", "وا"] for o in OBJ[:4]]
    nouns = [noun + o for o in ["ه", "ها", "هم", "هن", "كم"]] + [noun.removesuffix("ه") + "ت" + o for o in ["ه", "ها", "هم"] if noun.endswith("ه")]
    return bare, objs + nouns


def passives(past):
    return [p + past + s for p in ["ين", "يت", "تن", "تت"] for s in ["", "وا", "و"]]


def main():
    imp_obj, imp_bare, fut, subj_bare, subj_obj, pas, nouns = [], [], [], [], [], [], []
    for past, impf, imp, noun in VERBS:
        imp_obj += imperatives(imp, True)
        imp_bare += imperatives(imp, False)
        fut += futures(impf)
        b, o = subjunctives(impf, noun)
        subj_bare += b
        subj_obj += o
        pas += passives(past)
        nouns.append(noun)
    imp_obj += ["اقطعوا رؤوسهم", "اقطعو روسهم", "اقطعوا راسه", "اطلقوا النار عليهم", "اطلقو النار عليهم", "ارموهم بالرصاص"]
    print(group("harm_imp_obj_ar", "Imperatives with their object: اقتلوهم, اذبحوه, احرقهم.", imp_obj))
    print(group("harm_imp_ar", "Plural imperatives, final alif written or dropped: اقتلوا, اقتلو.", imp_bare))
    print(group("harm_fut1_ar", "First-person futures with an object: ساقتلك, هقتلك, رح اقتلك, بنقتلكم.", fut))
    print(group("harm_subj_obj_ar", "After a necessity word, with an object or as a verbal noun: نقتلهم, قتلهم, اعدامهم.", subj_obj))
    print(group("harm_subj_ar", "After a necessity word, bare: نقتل, يقتلوا, يتقتلوا.", subj_bare + pas))
    print(group("harm_noun_ar", "Verbal nouns: قتل, اعدام, تصفيه, ذبح.", nouns))


if __name__ == "__main__":
    main()
