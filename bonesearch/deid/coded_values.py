"""Header attributes mapped onto closed vocabularies: nothing from a header is stored as written.

A DICOM header's coded attributes (CS: BodyPartExamined, ViewPosition, Modality…) are typed
at the modality console and routinely hold anything: local words ("GENOU", "Main"), stray
spaces, and now and then a patient name or a phone number. Every value the store, the web
page or an export takes from a header goes through one of the functions here, which return
either a term of a fixed vocabulary or ``None`` (unknown: the caller writes ``OTHER`` or
nothing, and counts it). The input text itself is never returned, so neither a planted name
nor a terminal escape sequence can pass.

Vocabularies:

* body part: the Body Part Examined defined terms of PS3.16 Annex L / CID 4031 that a bone
  X-ray archive meets, plus French and English variants (``GENOU`` → ``KNEE``,
  ``L-SPINE`` → ``LSPINE``, ``RACHIS LOMBAIRE`` → ``LSPINE``);
* view: the DX/CR View Position defined terms (AP, PA, LL, RL, RLD, LLD, RLO, LLO) plus the
  ``LAT``/``OBL``/``AXIAL`` every archive uses (the demo writes LAT and OBL);
* laterality: R, L, B (U, "unpaired", means no side: empty); French D/G accepted;
* modality, photometric interpretation, transfer syntax: the standard's defined terms/UIDs;
* manufacturer: free text, so an allowlist of X-ray vendors, each mapped to one canonical
  name (a vendor's many spellings become one filter value; anything else is ``OTHER``).
"""

from __future__ import annotations

import re
import unicodedata

from pydicom.multival import MultiValue
from pydicom.uid import UID

from bonesearch.safe_text import strip_escapes

OTHER = "OTHER"

BODY_PARTS = frozenset({
    "SKULL", "HEAD", "FACE", "JAW", "TMJ", "NECK", "SPINE", "WHOLESPINE", "CSPINE", "CTSPINE", "TSPINE", "TLSPINE",
    "LSPINE", "LSSPINE", "SSPINE", "COCCYX", "SACRUM", "CHEST", "RIB", "STERNUM", "CLAVICLE", "SCAPULA", "ACJOINT",
    "SHOULDER", "ARM", "HUMERUS", "ELBOW", "FOREARM", "WRIST", "HAND", "FINGER", "THUMB", "UPPERLIMB", "ABDOMEN",
    "PELVIS", "SIJOINT", "HIP", "THIGH", "FEMUR", "KNEE", "PATELLA", "LEG", "TIBIA", "FIBULA", "ANKLE", "FOOT",
    "CALCANEUS", "TOE", "LOWERLIMB", "EXTREMITY", "WHOLEBODY", "BREAST",
})
# variants seen in real archives, keyed by their letters only (accents folded, no spaces or dashes)
BODY_PART_ALIASES = {
    # French
    "CRANE": "SKULL", "TETE": "HEAD", "VISAGE": "FACE", "MACHOIRE": "JAW", "MANDIBULE": "JAW", "ATM": "TMJ",
    "COU": "NECK", "RACHIS": "SPINE", "COLONNE": "SPINE", "RACHISCOMPLET": "WHOLESPINE", "RACHISENTIER": "WHOLESPINE",
    "RACHISCERVICAL": "CSPINE", "CERVICAL": "CSPINE", "CERVICALES": "CSPINE", "RACHISDORSAL": "TSPINE",
    "DORSAL": "TSPINE", "RACHISTHORACIQUE": "TSPINE", "RACHISLOMBAIRE": "LSPINE", "LOMBAIRE": "LSPINE",
    "LOMBAIRES": "LSPINE", "SACRE": "SACRUM", "THORAX": "CHEST", "POUMON": "CHEST", "POUMONS": "CHEST",
    "COTE": "RIB", "COTES": "RIB", "GRILLECOSTALE": "RIB", "CLAVICULE": "CLAVICLE", "OMOPLATE": "SCAPULA",
    "EPAULE": "SHOULDER", "BRAS": "ARM", "HUMERUS": "HUMERUS", "COUDE": "ELBOW", "AVANTBRAS": "FOREARM",
    "POIGNET": "WRIST", "SCAPHOIDE": "WRIST", "MAIN": "HAND", "DOIGT": "FINGER", "DOIGTS": "FINGER", "POUCE": "THUMB",
    "ABDOMENSANSPREPARATION": "ABDOMEN", "ASP": "ABDOMEN", "BASSIN": "PELVIS", "SACROILIAQUE": "SIJOINT",
    "HANCHE": "HIP", "CUISSE": "THIGH", "FEMUR": "FEMUR", "GENOU": "KNEE", "GENOUX": "KNEE", "ROTULE": "PATELLA",
    "JAMBE": "LEG", "JAMBES": "LEG", "CHEVILLE": "ANKLE", "PIED": "FOOT", "PIEDS": "FOOT", "CALCANEUM": "CALCANEUS",
    "ORTEIL": "TOE", "ORTEILS": "TOE", "MEMBREINFERIEUR": "LOWERLIMB", "MEMBRESINFERIEURS": "LOWERLIMB",
    "MEMBRESUPERIEUR": "UPPERLIMB", "CORPSENTIER": "WHOLEBODY", "SEIN": "BREAST",
    # English spellings and abbreviations
    "CERVICALSPINE": "CSPINE", "THORACICSPINE": "TSPINE", "DORSALSPINE": "TSPINE", "LUMBARSPINE": "LSPINE",
    "LUMBAR": "LSPINE", "LUMBOSACRAL": "LSSPINE", "LUMBOSACRALSPINE": "LSSPINE", "THORACOLUMBAR": "TLSPINE",
    "CERVICOTHORACIC": "CTSPINE", "SACRALSPINE": "SSPINE", "FULLSPINE": "WHOLESPINE", "TOTALSPINE": "WHOLESPINE",
    "CSP": "CSPINE", "TSP": "TSPINE", "LSP": "LSPINE", "RIBS": "RIB",
    "UPPERARM": "ARM", "FINGERS": "FINGER", "TOES": "TOE", "LOWERLEG": "LEG",
    "TIBIAFIBULA": "LEG", "TIBFIB": "LEG", "TIBIAANDFIBULA": "LEG", "HEEL": "CALCANEUS", "OSCALCIS": "CALCANEUS",
    "PELVISHIP": "PELVIS", "HIPS": "HIP", "KNEES": "KNEE", "ANKLES": "ANKLE", "FEET": "FOOT", "HANDS": "HAND",
    "WRISTS": "WRIST", "SHOULDERS": "SHOULDER", "ELBOWS": "ELBOW", "LOWEREXTREMITY": "LOWERLIMB",
    "UPPEREXTREMITY": "UPPERLIMB", "LOWERLIMBS": "LOWERLIMB", "UPPERLIMBS": "UPPERLIMB", "SKELETON": "WHOLEBODY",
    "CLAVICULA": "CLAVICLE", "SCAPHOID": "WRIST", "PATELLAE": "PATELLA",
}
# description words (one or two) → body part: the defined terms and the aliases, except words that are
# ambiguous inside a sentence (FACE: frontal view; TETE/HEAD: femoral head; NECK/CERVICAL: femoral neck;
# COTE: side)
_DESCRIPTION_SKIP = frozenset({"FACE", "TETE", "HEAD", "NECK", "COU", "COTE", "ASP", "ATM", "CSP", "TSP", "LSP",
                               "DORSAL", "CERVICAL", "CERVICALES", "SEIN"})
_DESCRIPTION_WORDS = {key: term for key, term in {**{t: t for t in BODY_PARTS}, **BODY_PART_ALIASES}.items()
                      if key not in _DESCRIPTION_SKIP}

VIEWS = frozenset({"AP", "PA", "LL", "RL", "RLD", "LLD", "RLO", "LLO", "LAT", "OBL", "AXIAL"})
VIEW_ALIASES = {
    "LATERAL": "LAT", "LATERALE": "LAT", "PROFIL": "LAT", "PROFILE": "LAT",
    "OBLIQUE": "OBL", "OBLIQ": "OBL", "TROISQUARTS": "OBL", "34": "OBL", "AXIALE": "AXIAL", "AX": "AXIAL",
    "SKYLINE": "AXIAL", "SUNRISE": "AXIAL", "ANTEROPOSTERIOR": "AP", "POSTEROANTERIOR": "PA",
    "ANTEROPOSTERIEUR": "AP", "POSTEROANTERIEUR": "PA",
}

LATERALITIES = {"R": "R", "L": "L", "B": "B", "U": "", "D": "R", "G": "L", "RIGHT": "R", "LEFT": "L",
                "DROIT": "R", "DROITE": "R", "GAUCHE": "L", "BILATERAL": "B", "BILATERALE": "B", "BILAT": "B",
                "BOTH": "B", "UNPAIRED": ""}

MODALITIES = frozenset({
    "CR", "DX", "RF", "XA", "RG", "MG", "IO", "PX", "CT", "MR", "US", "NM", "PT", "OT", "SC", "BMD", "DG", "XC",
    "OP", "SM", "SR", "KO", "PR", "DOC", "SEG", "REG", "ES", "GM", "TG", "HC", "ECG", "AU", "RTIMAGE",
})

PHOTOMETRICS = frozenset({
    "MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_420", "YBR_PARTIAL_422", "YBR_RCT",
    "YBR_ICT", "PALETTE COLOR", "HSV", "ARGB", "CMYK",
})

# (canonical name, pattern of the vendor's spellings on the cleaned, upper-case text)
MANUFACTURERS = (
    ("AGFA", r"AGFA"),
    ("Carestream Health", r"CARESTREAM"),
    ("Kodak", r"(EASTMAN )?KODAK"),
    ("FUJIFILM Corporation", r"FUJI ?(FILM|PHOTO FILM)?"),
    ("Philips Medical Systems", r"PHILIPS"),
    ("SIEMENS", r"SIEMENS"),
    ("GE Healthcare", r"GE|GEMS|GE HEALTHCARE|GE HEALTH ?CARE|GE MEDICAL( SYSTEMS)?|GENERAL ELECTRIC"),
    ("Canon Medical Systems", r"CANON|TOSHIBA( MEC)?"),
    ("Konica Minolta", r"KONICA( MINOLTA)?|MINOLTA"),
    ("Shimadzu", r"SHIMADZU"),
    ("Hitachi", r"HITACHI"),
    ("Samsung", r"SAMSUNG"),
    ("Hologic", r"HOLOGIC"),
    ("EOS imaging", r"EOS( IMAGING)?|BIOSPACE( MED)?"),
    ("Swissray", r"SWISSRAY"),
    ("Varex Imaging", r"VAREX|VARIAN"),
    ("Trixell", r"TRIXELL"),
    ("Thales", r"THALES"),
    ("DRGEM", r"DRGEM"),
    ("Rayence", r"RAYENCE"),
    ("Vieworks", r"VIEWORKS"),
    ("iCRco", r"ICRCO"),
    ("Sedecal", r"SEDECAL"),
    ("Villa Sistemi Medicali", r"VILLA( SISTEMI MEDICALI)?"),
    ("General Medical Merate", r"GMM|GENERAL MEDICAL MERATE"),
    ("Italray", r"ITALRAY"),
    ("Apelem", r"APELEM"),
    ("DMS Imaging", r"DMS( IMAGING)?"),
    ("Stephanix", r"STEPHANIX"),
    ("Primax", r"PRIMAX"),
    ("Mindray", r"MINDRAY"),
    ("Planmed", r"PLANMED"),
    ("Arcoma", r"ARCOMA"),
    ("Imaging Dynamics", r"IMAGING DYNAMICS|IDC"),
    ("Del Medical", r"DEL MEDICAL"),
    ("Perlove", r"PERLOVE"),
)
_MANUFACTURER_PATTERNS = tuple((name, re.compile(rf"(?:^| )(?:{pattern})(?: |$)")) for name, pattern in MANUFACTURERS)


def first_value(value: object) -> str:
    """The first value of a (possibly multi-valued) element as text; '' for None."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, MultiValue)):
        value = value[0] if len(value) else ""
    return "" if value is None else str(value)


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences and control/format characters (what a console would act on)."""
    text = strip_escapes(text)
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")


def clean(value: object) -> str:
    """Upper-case words of ``value``: escapes and controls removed, accents folded, other signs → one space."""
    text = strip_controls(first_value(value))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", text.upper()).split())


def _letters(value: object) -> str:
    return clean(value).replace(" ", "")


def is_present(value: object) -> bool:
    """Whether the element holds something (anything but blanks/controls)."""
    return bool(clean(value)) or bool(strip_controls(first_value(value)).strip())


def body_part(value: object) -> str | None:
    """The Body Part Examined defined term for ``value``, or None when it is not one we know."""
    key = _letters(value)
    if key in BODY_PARTS:
        return key
    return BODY_PART_ALIASES.get(key)


def body_part_from_text(text: str) -> str | None:
    """A body part named by a word (or two-word phrase) of a free-text description, or None.

    Only the returned code leaves this function; the description is matched word by word,
    never by substring ("DOMAINE" does not name a hand).
    """
    words = clean(text).split()
    for n in (2, 1):  # "RACHIS LOMBAIRE" before "RACHIS"
        for i in range(len(words) - n + 1):
            term = _DESCRIPTION_WORDS.get("".join(words[i : i + n]))
            if term:
                return term
    return None


def view(value: object) -> str | None:
    """The View Position term for ``value`` ('' when empty), or None when unknown."""
    key = _letters(value)
    if not key:
        return ""
    return key if key in VIEWS else VIEW_ALIASES.get(key)


def laterality(value: object) -> str | None:
    """R, L, B, '' (none or unpaired) for ``value``, or None when unknown."""
    key = _letters(value)
    if not key:
        return ""
    return LATERALITIES.get(key)


def modality(value: object) -> str | None:
    """The Modality defined term for ``value``, or None when unknown."""
    key = clean(value).replace(" ", "")
    return key if key in MODALITIES else None


def photometric(value: object) -> str | None:
    """The Photometric Interpretation defined term ('' when empty), or None when unknown."""
    key = strip_controls(first_value(value)).strip().upper()
    return key if key in PHOTOMETRICS or not key else None


def sex(value: object) -> str | None:
    """M, F, O ('' when empty), or None when unknown."""
    key = _letters(value)
    if not key:
        return ""
    return key if key in ("M", "F", "O") else None


def transfer_syntax(uid: object) -> str | None:
    """The transfer syntax UID when it is one the standard defines ('' when absent), else None."""
    if uid is None or str(uid) == "":
        return ""
    candidate = UID(strip_controls(str(uid)).strip())
    try:
        return str(candidate) if candidate.is_transfer_syntax and candidate.name != str(candidate) else None
    except (ValueError, AttributeError):
        return None


def manufacturer(value: object) -> str | None:
    """The canonical name of a known X-ray vendor in ``value`` ('' when empty), or None when unknown."""
    text = clean(value)
    if not text:
        return ""
    for name, pattern in _MANUFACTURER_PATTERNS:
        if pattern.search(text):
            return name
    return None
