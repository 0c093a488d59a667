#!/usr/bin/env python3
"""Writes the verb classes of lexicons/kk/frames.toml from Kazakh suffix rules (kk_forms.py):

    python3 lexicons/tools/kk_frames.py > /tmp/kk_verbs.toml

and the groups printed replace those between the GENERATED markers of frames.toml. Stems whose
bare forms are everyday words (ат "horse, name", ас "food", жар "spouse, cliff", кес, сой, жой)
give only forms that frames combine with a target; the unambiguous ones also count alone."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kk_forms import forms  # noqa: E402
from toml_group import group  # noqa: E402

# Killing and severe harm whose forms are calls or threats even alone.
STRONG = ["өлтір", "тұншықтыр", "уландыр", "бауызда", "басын кес", "бастарын кес", "басын ал",
          "дарға ас", "атып өлтір", "атып таста", "өртеп жібер", "қырып сал",
          "қырып жой", "сойып таста", "жайрат", "жер жастандыр", "көзін жой", "көзін құрт",
          "тірідей өрте", "пышақта", "пышақпен түйре", "бауыздап таста"]
# Blowing up: a call or threat to bomb, counted as terrorism whatever its object.
BOMB = ["жарып жібер", "жарылыс жаса", "жарып ұшыр"]
# Verbs that harm only with a human object beside them.
WITH_TARGET = ["ат", "кес", "жар", "өрте", "ас", "сой", "жой", "құрт", "қыр", "шанш", "азапта",
               "жарала", "шабуыл жаса", "тұншық", "ұр", "соқ", "тапта", "сабa"]

IMP = {"imp2pl", "imp2sg_polite", "imp2pl_polite", "imp3", "let1pl", "let1sg", "cv_tasta_imp2sg",
       "cv_tasta_imp2pl", "cv_tasta_imp2sg_polite", "cv_tasta_imp3", "cv_tasta_let1pl", "cv_tasta_let1sg"}
NEC = {"nec_kerek", "nec_qazhet", "nec_tiis", "nec_tiis_poss3", "nec_zhon", "cv_tasta_nec_kerek",
       "passive_nec_kerek"}
FUT1 = {"pres_fut_1sg", "pres_fut_1pl", "pres_fut_1sg_colloq", "future_intent_1sg", "future_intent_1pl",
        "future_intent_shy_1sg", "future_intent_shy_1pl", "cv_tasta_pres_fut_1sg", "cv_tasta_pres_fut_1pl",
        "cv_tasta_future_intent_1sg", "desire_1sg", "desire_1pl", "cv_tasta_desire_1sg"}
INF = {"inf", "cv_tasta_inf", "passive_inf"}
PASSIVE = {"passive_imp3"}


def collect(stems, roles, bare=False):
    out = []
    for stem in stems:
        for role, form in forms(stem.replace("a", "а")):
            if role in roles and form not in out:
                out.append(form)
        if bare and stem not in out:
            out.append(stem)
    return out


def main():
    strong_imp = collect(STRONG, IMP, bare=True)
    print(group("harm_imp_strong_kk", "Imperatives and 'let us' forms of killing: өлтіріңдер, атып тастаңдар, өлтірейік.", strong_imp))
    print(group("harm_imp_kk", "The same forms of verbs that harm only with a target: атыңдар, асыңдар, жойыңдар.",
                [w for w in collect(WITH_TARGET, IMP) if w not in strong_imp]))
    strong_nec = collect(STRONG, NEC)
    print(group("harm_nec_strong_kk", "Necessity: өлтіру керек, атып тастау керек, өлтірілу керек.", strong_nec))
    print(group("harm_nec_kk", "Necessity of verbs that harm only with a target: ату керек, жою керек.",
                [w for w in collect(WITH_TARGET, NEC) if w not in strong_nec]))
    strong_fut = collect(STRONG, FUT1)
    print(group("harm_fut1_strong_kk", "First-person futures, intentions and wishes: өлтіремін, өлтірмекпін, өлтіргім келеді.", strong_fut))
    print(group("harm_fut1_kk", "The same of verbs that harm only with a target: атамын, жоямыз.",
                [w for w in collect(WITH_TARGET, FUT1) if w not in strong_fut]))
    print(group("harm_inf_kk", "Infinitives, for necessity words other than керек: өлтіру, ату, жою.", collect(STRONG + WITH_TARGET, INF)))
    print(group("bomb_kk", "Calls and threats to blow up: жарып жіберіңдер, жарып жіберу керек, жарып жіберемін.",
                collect(BOMB, IMP | NEC | FUT1)))
    print(group("harm_passive_kk", "May they be killed: өлтірілсін, атылсын.", collect(STRONG + ["ат", "ас", "жой"], PASSIVE)))


if __name__ == "__main__":
    main()
