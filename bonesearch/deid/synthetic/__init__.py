"""Generators of annotated synthetic reports: the training corpus of the learned de-identification NER.

Each module has ``generate(rng: random.Random, n: int) -> [{"text", "spans": [{"start", "end",
"label"}]}]`` with the twelve evaluation labels, invented identities only, and medical eponyms
left unannotated: ``belgian`` (Belgian hospital, practice and RIS reports, some bilingual),
``structured`` (French hospital exports: key-value headers, tables, HL7 and DICOM dumps, OCR-damaged
scans, urgences notes, overseas departments), ``letters`` (letters, consultation notes and e-mails
from France, Switzerland, Québec and Luxembourg). Their authors saw neither the rules nor the
annotated sets; the briefs they were given listed formats the blind sets ``deid_holdout6`` and
``deid_holdout7`` had shown the rules to miss (so those two sets are not blind for the learned NER;
``deid_holdout8``, written after the generators, is). :mod:`bonesearch.deid.learned_training`
draws from them in turn.
"""
