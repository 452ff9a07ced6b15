"""One site profile per implant site: what differs by site, as reference data with its source.

Design rules (docs/sources.md#design-rules, "Sites"): the profile answers which loading protocols
may apply, which wear basis drives a connector part's service forecast, which function tests and
questionnaires apply and which guide text is used. The transcutaneous parts a limb carries are not
here: they come from the implant system the record names (osseo/surgery/systems.py,
docs/sources.md#implant-components).

Each answer carries its source; an answer the literature does not give is the clinic's own and is
labelled "not validated" (source ""). A clinic adds what its practice adds (an instrument for a
site, load recordings as a wear basis for a site) through the clinic setting `site_profiles`;
it never takes away what a source restricts (walking tests stay lower-limb only).

Pure data and functions over site codes: every app may ask, none assumes a lower limb.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Region = Literal["lower_limb", "upper_limb", "head_neck"]
WearBasis = Literal["steps", "time"]
GuideText = Literal["limb", "craniofacial"]

NOT_VALIDATED = "not validated"

# Sources, as docs/sources.md gives them.
GUIDE = "Clinic patient guide (docs/sources.md#clinic-guide)"
RADBOUD = (
    "Radboudumc Amputee Osseointegration Rehabilitation Protocol "
    "(docs/sources.md#radboud-loading): axial weight bearing on a scale, in % body weight, for "
    "transfemoral and transtibial OI"
)
OGAAP_TESTS = (
    "OGAAP-1 outcome measures: Q-TFA, SF-36, AMP (K-level), 6MWT, TUG, in lower-limb OI "
    "(Bone Joint J 2016;98-B:952-60; docs/sources.md#outcome-measures)"
)
WEAR_HOURS = (
    "Daily prosthetic wear hours (OGA TT protocol); prosthetic use time is the main functional "
    "measure (docs/sources.md#outcome-measures)"
)
STEPS_LOWER_LIMB = (
    "Step counting is the real-world outcome of lower-limb amputees (Sensors 2022;22:2243, "
    "docs/sources.md#outcome-measures); measured implant loads are of lower-limb gait "
    "(docs/sources.md#implant-loads)"
)
QTFA = (
    "Q-TFA: Questionnaire for Persons with a Transfemoral Amputation (Hagberg 2004; "
    "docs/sources.md#outcome-measures)"
)
RAND36 = "RAND-36 / SF-36 health survey, used across OI studies (docs/sources.md#outcome-measures)"

LOWER_LIMB_TESTS = (
    "six_minute_walk",
    "timed_up_and_go",
    "amp_pro",
    "amp_nopro",
    "k_level",
    "wear_hours",
)


@dataclass(frozen=True)
class SiteProfile:
    site: str
    label: str
    region: Region
    # Loading: how a loading programme's target is given for this site, and its source.
    loading: str  # "percent_body_weight" (axial loading on a scale) or "clinic" (own programme)
    loading_source: str
    # Which connector-part forecast basis applies: daily steps (and gait recordings) or time.
    wear_basis: WearBasis
    wear_basis_source: str
    # Whether load recordings may drive that part's forecast (lower limbs; else a clinic policy).
    load_recordings: bool
    function_tests: tuple[str, ...]
    function_tests_source: str
    questionnaires: tuple[str, ...]  # instrument codes (outcomes app)
    questionnaires_source: str
    guide_text: GuideText
    guide_text_source: str  # "" = the clinic's own wording, not validated

    @property
    def lower_limb(self) -> bool:
        return self.region == "lower_limb"

    def label_of(self, source: str) -> str:
        return source or NOT_VALIDATED


def _limb(site: str, label: str, region: Region, questionnaires: tuple[str, ...]) -> SiteProfile:
    lower = region == "lower_limb"
    return SiteProfile(
        site=site,
        label=label,
        region=region,
        loading="percent_body_weight" if lower else "clinic",
        # Upper-limb programmes: no source gives one (docs/sources.md#rehab-protocols): the
        # clinic's own.
        loading_source=RADBOUD if lower else "",
        wear_basis="steps" if lower else "time",
        # Upper-limb parts by time: no source ties their wear to steps; the time limit is the
        # clinic's own (docs/sources.md#connector-parts [U]): not validated.
        wear_basis_source=STEPS_LOWER_LIMB if lower else "",
        load_recordings=lower,
        function_tests=LOWER_LIMB_TESTS if lower else ("wear_hours",),
        function_tests_source=OGAAP_TESTS if lower else WEAR_HOURS,
        questionnaires=questionnaires,
        questionnaires_source=QTFA + "; " + RAND36 if "q-tfa" in questionnaires else RAND36,
        guide_text="limb",
        guide_text_source=GUIDE,
    )


PROFILES: dict[str, SiteProfile] = {
    p.site: p
    for p in (
        _limb("femur", "Femur (transfemoral)", "lower_limb", ("q-tfa", "rand-36")),
        _limb("tibia", "Tibia (transtibial)", "lower_limb", ("rand-36",)),
        _limb("humerus", "Humerus (transhumeral)", "upper_limb", ("rand-36",)),
        _limb("radius_ulna", "Radius and ulna (transradial)", "upper_limb", ("rand-36",)),
        _limb("hand", "Hand (digit or metacarpal)", "upper_limb", ("rand-36",)),
        SiteProfile(
            site="craniofacial",
            label="Head and neck (craniofacial)",
            region="head_neck",
            loading="clinic",
            loading_source="",  # no source gives loading for a bone-anchored epithesis
            wear_basis="time",
            wear_basis_source="",  # aftercare roughly every 1.5-2 years (Visser 2008) is not a
            # part's service limit: the clinic's own, not validated
            load_recordings=False,
            function_tests=("wear_hours",),
            function_tests_source=WEAR_HOURS,
            questionnaires=("rand-36",),
            questionnaires_source=RAND36,
            guide_text="craniofacial",
            guide_text_source="",  # the guide speaks of limbs only: the clinic's own wording
        ),
    )
}
SITES = tuple(PROFILES)

# What a clinic may add per site (the clinic setting `site_profiles`).
OVERRIDABLE = ("function_tests", "questionnaires", "load_recordings")


def profile(site: str, overrides: Mapping[str, Any] | None = None) -> SiteProfile:
    """The profile of `site`, with the clinic's additions (`overrides`: the setting's value for
    this site). Raises KeyError for an unknown site."""
    base = PROFILES[site]
    if not overrides:
        return base
    changes: dict[str, Any] = {}
    tests = [t for t in overrides.get("function_tests", []) if t not in base.function_tests]
    # A walking test stays a lower-limb test whatever a clinic adds
    # (docs/sources.md#outcome-measures).
    tests = [t for t in tests if base.lower_limb or t not in LOWER_LIMB_TESTS[:5]]
    if tests:
        changes["function_tests"] = base.function_tests + tuple(tests)
    extra = [q for q in overrides.get("questionnaires", []) if q not in base.questionnaires]
    # The Q-TFA is a transfemoral questionnaire (Hagberg 2004): no clinic adds it elsewhere.
    extra = [q for q in extra if q != "q-tfa"]
    if extra:
        changes["questionnaires"] = base.questionnaires + tuple(extra)
    if overrides.get("load_recordings") and not base.load_recordings:
        changes["load_recordings"] = True
    return replace(base, **changes) if changes else base


def validate_overrides(value: Any, *, tests: Iterable[str], instruments: Iterable[str]) -> dict:
    """The setting's value cleaned: {site: {function_tests: [...], questionnaires: [...],
    load_recordings: bool}}; raises ValueError naming the first problem."""
    if not isinstance(value, Mapping):
        raise ValueError("Give an object of sites.")
    known_tests, known_instruments = set(tests), set(instruments)
    clean: dict[str, dict[str, Any]] = {}
    for site, values in value.items():
        if site not in PROFILES:
            raise ValueError(f"Unknown site {site!r}; sites are: {', '.join(SITES)}.")
        if not isinstance(values, Mapping) or set(values) - set(OVERRIDABLE):
            raise ValueError(f"For {site}, give only: {', '.join(OVERRIDABLE)}.")
        entry: dict[str, Any] = {}
        for key, known in (("function_tests", known_tests), ("questionnaires", known_instruments)):
            codes = values.get(key, [])
            if not isinstance(codes, list) or any(c not in known for c in codes):
                raise ValueError(f"For {site}, {key} are some of: {', '.join(sorted(known))}.")
            if codes:
                entry[key] = codes
        if "load_recordings" in values:
            if not isinstance(values["load_recordings"], bool):
                raise ValueError(f"For {site}, load_recordings is true or false.")
            entry["load_recordings"] = values["load_recordings"]
        clean[site] = entry
    return clean


def for_clinic(organisation: Any, site: str) -> SiteProfile:
    """The profile of `site` with what `organisation` (an OI clinic, or None) adds to it."""
    return for_clinic_sites(organisation, [site])[site]


def for_clinic_sites(organisation: Any, sites: Iterable[str]) -> dict[str, SiteProfile]:
    """The profiles of `sites` with what `organisation` adds to them: the setting read once."""
    if organisation is None:
        return {site: PROFILES[site] for site in sites}
    from osseo.accounts.clinic_settings import resolve

    value = resolve(organisation, "site_profiles").value or {}
    return {site: profile(site, value.get(site)) for site in sites}
