#!/usr/bin/env python3
"""Writes the verb classes of lexicons/kk/frames.toml from Kazakh suffix rules (kk_forms.py):

    python3 lexicons/tools/kk_frames.py > /tmp/kk_verbs.toml

and the groups printed replace those between the GENERATED markers of frames.toml. Stems whose
bare forms are everyday words (ат "horse, name", ас "food", жар "spouse, cliff", кес, сой, жой)
give only forms that frames combine with a target; the unambiguous ones also count alone."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kk_forms import forms, noun_forms  # noqa: E402
from toml_group import group  # noqa: E402

# Killing and severe harm whose forms are calls or threats even alone.
STRONG = ["өлтір", "тұншықтыр", "уландыр", "бауызда", "басын кес", "бастарын кес", "басын ал",
          "дарға ас", "атып өлтір", "атып таста", "өртеп жібер", "қырып сал",
          "қырып жой", "сойып таста", "жайрат", "жер жастандыр", "көзін жой", "көзін құрт",
          "тірідей өрте", "пышақта", "пышақпен түйре", "бауыздап таста", "буындырып өлтір",
          "мойнын үз", "мойнын бұра", "ішек қарнын ақтар", "қарнын жар", "асып өлтір", "асып таста",
          "пышақпен сұқ", "пышақ сұқ", "пышақпен сұғып ал", "пышақ сұғып ал", "тірідей көм"]
# Blowing up: a call or threat to bomb, counted as terrorism whatever its object.
BOMB = ["жарып жібер", "жарылыс жаса", "жарып ұшыр"]
# Verbs that harm only with a human object beside them.
WITH_TARGET = ["ат", "кес", "жар", "өрте", "ас", "сой", "жой", "құрт", "қыр", "шанш", "азапта",
               "жарала", "шабуыл жаса", "тұншық", "ұр", "соқ", "тапта", "сабa", "лақтыр", "жерге көм",
               "оқ ат", "сындыр"]
# Dying and being executed (intransitive): what is wished or owed to someone, ол өлуі тиіс.
DIE = ["өл", "дарға асыл", "басы кесіл", "оқ қадал", "оқ ти", "ит өліміне душар бол"]
# Harm done to a body part named beside it (басыңды кесемін, мойнын үзгім келеді).
BODY_VERBS = ["кес", "үз", "сындыр", "жар", "шап", "жұл", "ой", "бұра"]
# Ramming with a vehicle: run over, trample, drive into (with a vehicle or crowd word).
RAM = ["басып кет", "басып өт", "таптап кет", "тапта", "айдап кір", "қағып кет", "соғып кет",
       "айдап кет", "тобырға кір"]
# Nouns of people a threat or call names (each in every case, singular and plural).
TARGET_NOUNS = ["сатқын", "кәпір", "полицей", "полиция", "судья", "прокурор", "әкім", "шенеунік",
                "депутат", "журналист", "тілші", "блогер", "орыс", "қытай", "еврей", "мұсылман",
                "христиан", "мигрант", "дінсіз", "мұртад", "тағұт", "жау", "президент", "министр",
                "солдат", "сарбаз", "шетелдік", "келімсек", "шүршіт", "гей", "жемқор", "оккупант",
                "басқыншы", "диктатор", "қазақ", "өзбек", "ұйғыр", "дұңған", "шала қазақ",
                "мәңгүрт", "ит", "мұғалім", "көрші", "бастық"]
# 'Those who ...': past participles as objects (шыққандарды атыңдар).
TARGET_PTCP = ["шық", "кел", "жүр", "қарсы шық", "қарсылық көрсет", "қолда", "дауыс бер",
               "сөйле", "бағынба", "наразылық білдір", "намаз оқы", "ораза ұста"]
# Buildings and crowds a bombing, arson or attack is aimed at.
PLACES = ["вокзал", "метро", "мектеп", "стадион", "әкімдік", "шіркеу", "мешіт", "синагога",
          "әуежай", "базар", "елшілік", "концерт", "шеру", "бөлімше", "әскери бөлім", "балабақша",
          "университет", "аурухана", "автобекет", "банк", "сот", "прокуратура", "парламент", "ақорда",
          "редакция"]
PLACE_EXTRA = ["полиция бөлім*", "сауда орталығ*", "полиция бөлімше*", "әскери бөлім*",
               "адам көп жерге", "адам көп кезде", "адам көп жерде", "тобыр*"]
# Verbs whose calls against a place are terrorism: bomb, burn, attack.
PLACE_VERBS = ["жар", "бомба жар", "өрте", "шабуыл жаса", "жарып жібер", "өртеп жібер",
               "жарылыс жаса", "бомба қой", "жарып ұшыр", "от қой", "өрт қой", "от таста"]
# Setting fire to someone's home, car or shop (a dative with a possessive beside).
SET_FIRE = ["от қой", "өрт қой", "от таста", "өртеп жібер", "өрте"]
HOME_DAT = ["үйіне", "үйлеріне", "үйіңе", "үйлеріңе", "үйіңізге", "үйлеріңізге", "пәтеріне", "пәтеріңе",
            "көлігіне", "көлігіңе", "дүкеніне", "дүкеніңе", "үйін", "үйіңді", "үйлерін", "үйлеріңді",
            "көлігін", "көлігіңді", "дүкенін", "дүкеніңді"]

IMP = {"imp2pl", "imp2sg_polite", "imp2pl_polite", "imp3", "let1pl", "let1sg", "cv_tasta_imp2sg",
       "cv_tasta_imp2pl", "cv_tasta_imp2sg_polite", "cv_tasta_imp3", "cv_tasta_let1pl", "cv_tasta_let1sg",
       "imp2sg_shy", "imp2sg_polite_shy", "imp2pl_shy", "cv_tasta_imp2sg_shy",
       "cv_tasta_imp2sg_polite_shy", "cv_tasta_imp2pl_shy"}
NEC = {"nec_kerek", "nec_qazhet", "nec_tiis", "nec_tiis_poss3", "nec_zhon", "cv_tasta_nec_kerek",
       "passive_nec_kerek", "nec_poss3_kerek", "cv_tasta_nec_poss3_kerek", "cv_tasta_nec_tiis_poss3",
       "passive_nec_tiis_poss3", "passive_nec_poss3_kerek"}
FUT1 = {"pres_fut_1sg", "pres_fut_1pl", "pres_fut_1sg_colloq", "future_intent_1sg", "future_intent_1pl",
        "future_intent_shy_1sg", "future_intent_shy_1pl", "cv_tasta_pres_fut_1sg", "cv_tasta_pres_fut_1pl",
        "cv_tasta_future_intent_1sg", "desire_1sg", "desire_1pl", "cv_tasta_desire_1sg",
        "cond_past_1sg", "cond_past_1pl", "cv_tasta_cond_past_1sg", "cv_tasta_cond_past_1pl"}
WISH = {"wish", "wish_goi", "cv_tasta_wish", "cv_tasta_wish_goi", "passive_wish"}
INF_DAT = {"inf_dat", "cv_tasta_inf_dat", "passive_inf_dat"}
PTCP = {"pres_participle", "cv_tasta_pres_participle"}
DIE_ROLES = {"nec_tiis_poss3", "nec_poss3_kerek", "imp3", "wish", "wish_goi"}
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


def nouns(words, roles):
    out = []
    for w in words:
        for role, form in noun_forms(w):
            if role.replace("alt_", "") in roles and form not in out:
                out.append(form)
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
    strong_wish = collect(STRONG, WISH)
    print(group("harm_wish_strong_kk", "Wishes that someone would kill: өлтірсе екен, атып тастаса ғой.", strong_wish))
    print(group("harm_wish_kk", "The same of verbs that harm only with a target: атса екен, асып тастаса ғой.",
                [w for w in collect(WITH_TARGET, WISH) if w not in strong_wish]))
    print(group("harm_infdat_kk", "Dative infinitives of killing, before 'ready': өлтіруге, атуға.",
                collect(STRONG + ["ат", "ас", "сой", "шанш"], INF_DAT)))
    print(group("die_infdat_kk", "Dative infinitives of dying and of killing, before 'deserves': өлуге, асылуға, оқ тиюге.",
                collect(DIE, {"inf_dat"}) + collect(STRONG, INF_DAT)))
    print(group("die_forms_kk", "Death owed or wished: өлуі тиіс, басы кесілуі тиіс, оқ қадалуы тиіс, дарға асылсын.",
                collect(DIE, DIE_ROLES)))
    print(group("harm_ptcp_kk", "Present participles of harm, before 'the time has come': жоятын, өлтіретін.",
                collect(STRONG + WITH_TARGET, PTCP)))
    print(group("body_harm_kk", "Cutting, breaking, tearing (with a body part beside): кесемін, үзгім келеді, сындырып.",
                collect(BODY_VERBS, IMP | NEC | FUT1 | WISH | {"converb", "imp2sg"})))
    print(group("shoot_call_kk", "Shooting, hanging, slaughtering: first-person futures and imperatives (with 'all of them').",
                collect(["ат", "қыр", "ас", "сой", "шанш", "тапта"], FUT1 | IMP)))
    print(group("recruit_call_kk", "Calls to join, pledge, go, fight or fund (with a jihad word beside): қосылайық, соғысыңдар, аударыңдар.",
                collect(["қосыл", "бер", "бар", "шық", "соғыс", "аудар", "жаз", "қару ал", "көш", "аттан"],
                        IMP | NEC) + ["керек", "ант бердік", "жинаймыз", "жинап жатырмыз", "дайын"]))
    print(group("ram_kk", "Running people over: басып кетемін, таптап кетейік, айдап кіріңдер.",
                collect(RAM, IMP | NEC | FUT1 | WISH)))
    print(group("place_harm_kk", "Calls and threats to bomb, burn or attack (with a place beside): жарайық, өртейміз, бомба жарамыз.",
                collect(PLACE_VERBS, IMP | NEC | FUT1 | WISH) + ["жарылыс болады"]))
    print(group("set_fire_kk", "Setting fire (with a home beside): от қоямын, от қою керек, өртеп жіберейік.",
                collect(SET_FIRE, IMP | NEC | FUT1 | WISH)))
    print(group("home_kk", "Someone's home, car or shop as what is set on fire: үйіне, үйіңді, көлігін.", HOME_DAT))
    print(group("place_kk", "Buildings and crowds as objects or places of an attack: вокзалды, метрода, мектепке.",
                nouns(PLACES, {"acc", "dat", "loc", "pl_acc", "pl_dat"}) + PLACE_EXTRA))
    print(group("target_kk", "Target nouns in their cases (merged with the hand-written target_kk) and 'those who ...'.",
                nouns(TARGET_NOUNS, {"acc", "dat", "pl_acc", "pl_dat"})
                + nouns(collect(TARGET_PTCP, {"past_participle"}), {"pl_acc"})))
    print(group("target_dat_kk", "Targets in the dative, as in 'death to ...': сатқындарға, полицейлерге.",
                nouns(TARGET_NOUNS, {"dat", "pl_dat"})))


if __name__ == "__main__":
    main()
