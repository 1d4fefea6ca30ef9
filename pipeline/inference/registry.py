"""The model registry: which model does which job, read from ``models/registry.toml``, and
the language data (``models/languages.toml``) by which a language with no registry entry
finds its candidates: the OPUS-MT naming pattern, known renames and language groups, a
quality tier and a multilingual fallback. :mod:`pipeline.inference.routes` decides among
them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnsupportedLanguageError, UsageError
from ..options import AUTO, QUALITIES, TARGET_LANG, check_choice

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# The package root (``pipeline/``), two levels above this module.
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
# A wheel carries the registry inside the package; a source checkout has it in models/.
_REGISTRY_CANDIDATES = (
    _PACKAGE_DIR / "_data" / "registry.toml",
    _PACKAGE_DIR.parent / "models" / "registry.toml",
)
_LANGUAGES_FILE = "languages.toml"
#: Helsinki-NLP's organisation on the Hub, for models named by pattern.
OPUS_ORG = "Helsinki-NLP"


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry."""

    id: str
    task: str
    source: str
    target: str
    revision: str | None = None
    #: Text put before every input, e.g. the target-language token ``>>por<<`` that
    #: multi-target Marian models need.
    prefix: str = ""


@dataclass(frozen=True)
class Language:
    """A language the resolver knows, with its codes in each model family's scheme."""

    code: str
    name: str
    #: The ``>>token<<`` of multi-target OPUS-MT models (ISO 639-3, script where needed).
    opus: str
    #: NLLB-200's FLORES-200 code (``fra_Latn``); None: NLLB does not know the language.
    flores: str | None = None
    #: M2M100's code (``fr``); None: M2M100 does not know the language.
    m2m: str | None = None


@dataclass(frozen=True)
class OpusGroup:
    """An OPUS-MT model for a language group (``opus-mt-gem-en``, ``opus-mt-en-gem``)."""

    name: str
    members: frozenset[str]
    #: Which code goes in the target token out of English: ``opus`` (``>>deu<<``) or
    #: ``iso1`` (``>>de<<``).
    token: str = "opus"
    to_en: bool = True
    from_en: bool = True

    def covers(self, language: str) -> bool:
        """Whether ``language`` is one of the group's members."""
        return "*" in self.members or language in self.members


@dataclass(frozen=True)
class MultilingualFamily:
    """A family of multilingual models (NLLB-200, M2M100) and its language-code scheme."""

    match: str
    tokenizer: str
    codes: str  # "flores" or "m2m"


@dataclass(frozen=True)
class LanguagePair:
    """The language codes a multilingual model needs for one direction: ``source`` is set
    on the tokenizer (``tokenizer.src_lang``) and ``target_token`` forced as the first
    generated token."""

    source: str
    target: str
    target_token: str


@dataclass(frozen=True)
class Candidate:
    """A model the resolver may use for a direction, before it checks that it exists."""

    id: str
    via: str
    prefix: str = ""
    #: Used without checking it exists (a registry entry or an explicit option).
    trusted: bool = False


@dataclass(frozen=True)
class Registry:
    """The registry's entries, with look-ups by job, and the language data that resolves
    directions the registry does not list."""

    models: tuple[ModelSpec, ...]
    languages: Mapping[str, Language] = field(default_factory=dict)
    groups: tuple[OpusGroup, ...] = ()
    renames: tuple[ModelSpec, ...] = ()
    quality: tuple[ModelSpec, ...] = ()
    families: tuple[MultilingualFamily, ...] = ()
    #: Multilingual model for directions no OPUS-MT model serves (None: skip).
    fallback_translator: str | None = None
    #: Languages listed by ``pipeline models`` besides the registered ones.
    common: tuple[str, ...] = ()

    def translator(self, source: str, target: str) -> ModelSpec:
        """The translation model for ``source`` → ``target``."""
        for spec in self.models:
            if spec.task == "translation" and (spec.source, spec.target) == (source, target):
                return spec
        raise UnsupportedLanguageError(
            f"no translation model registered for {source}→{target} (registered: "
            f"{', '.join(self.pairs())}); pass --translator/--back-translator"
        )

    def pairs(self) -> list[str]:
        """The registered translation pairs, like ``fr-en``."""
        return [f"{m.source}-{m.target}" for m in self.models if m.task == "translation"]

    def summarizer(self, language: str = "en") -> ModelSpec:
        """The summarization model for ``language``."""
        for spec in self.models:
            if spec.task == "summarization" and spec.source == language:
                return spec
        raise UsageError(f"no summarization model registered for '{language}'")

    def find(self, model_id: str) -> ModelSpec | None:
        """The entry with this id, if any."""
        return next((m for m in self.models if m.id == model_id), None)

    def revision(self, model_id: str) -> str | None:
        """The pinned revision of ``model_id`` (None: unpinned or not registered)."""
        spec = self.find(model_id)
        return spec.revision if spec else None

    def registered(self, source: str, target: str) -> ModelSpec | None:
        """The registry entry for ``source`` → ``target``, if any."""
        return next(
            (
                m
                for m in self.models
                if m.task == "translation" and (m.source, m.target) == (source, target)
            ),
            None,
        )

    def registered_languages(self) -> list[str]:
        """Languages with a registered model into English, in registry order."""
        return list(dict.fromkeys(p.split("-")[0] for p in self.pairs() if p.endswith("-en")))

    def knows(self, language: str) -> bool:
        """Whether ``language`` is a code the resolver has data for."""
        return language in self.languages or any(
            language in (m.source, m.target) for m in self.models
        )

    def check_code(self, language: str, option: str = "--source-lang") -> str:
        """``language`` if it names a language (or is ``auto``, for ``--source-lang``), else
        a UsageError naming ``option``. Whether a model serves it is decided per document
        (it may need the Hub)."""
        if language == TARGET_LANG or (language == AUTO and option == "--source-lang"):
            return language
        if language != language.lower():
            raise UsageError(f"{option} '{language}': use a lower-case code, like 'fr'")
        if not self.knows(language):
            raise UsageError(
                f"{option} '{language}': unknown language code; use an ISO 639-1 code such "
                "as 'fi' (`pipeline models --lang CODE` tells what would translate it)"
                + (", or --source-lang auto" if option == "--source-lang" else "")
            )
        return language

    def offered_languages(self) -> list[str]:
        """The languages offered by default (``pipeline models``, the server's page):
        the registered ones, then the common ones the resolver serves by pattern or
        fallback."""
        return list(dict.fromkeys([*self.registered_languages(), *self.common]))

    def candidates(self, source: str, target: str, quality: str = "standard") -> list[Candidate]:
        """The OPUS-MT models that may serve ``source`` → ``target``, best first (see
        ``models/languages.toml``); nothing here checks that they exist."""
        check_choice(quality, QUALITIES, "quality")
        found: list[Candidate] = []
        if quality == "high":
            found += [
                Candidate(m.id, "quality", m.prefix)
                for m in self.quality
                if (m.source, m.target) == (source, target)
            ]
        spec = self.registered(source, target)
        if spec is not None:
            # A registry entry is the project's choice: nothing after it is considered.
            return [*found, Candidate(spec.id, "registry", spec.prefix, trusted=True)]
        found += [
            Candidate(m.id, "rename", m.prefix)
            for m in self.renames
            if (m.source, m.target) == (source, target)
        ]
        found.append(Candidate(f"{OPUS_ORG}/opus-mt-{source}-{target}", "pattern"))
        foreign, into_english = (source, True) if target == "en" else (target, False)
        if "en" in (source, target) and source != target:
            for group in self.groups:
                publishes = group.to_en if into_english else group.from_en
                if not (publishes and group.covers(foreign)):
                    continue
                if into_english:
                    found.append(Candidate(f"{OPUS_ORG}/opus-mt-{group.name}-en", "group"))
                else:
                    token = foreign if group.token == "iso1" else self._opus_code(foreign)
                    found.append(
                        Candidate(f"{OPUS_ORG}/opus-mt-en-{group.name}", "group", f">>{token}<< ")
                    )
        unique: dict[str, Candidate] = {}
        for candidate in found:
            unique.setdefault(candidate.id, candidate)
        return list(unique.values())

    def _opus_code(self, language: str) -> str:
        entry = self.languages.get(language)
        return entry.opus if entry else language

    def family(self, ref: str) -> MultilingualFamily | None:
        """The multilingual family of model ``ref`` (a Hub id or a local folder), or None
        for a one-pair model: by id, else by the folder's tokenizer class."""
        lowered = ref.lower()
        for family in self.families:
            if family.match in lowered:
                return family
        config = Path(ref).expanduser() / "tokenizer_config.json"
        if config.is_file():
            try:
                tokenizer = json.loads(config.read_text(encoding="utf-8")).get("tokenizer_class")
            except (OSError, ValueError):
                return None
            for family in self.families:
                if tokenizer and str(tokenizer).removesuffix("Fast") == family.tokenizer:
                    return family
        return None

    def language_pair(self, ref: str, source: str, target: str) -> LanguagePair | None:
        """The codes multilingual model ``ref`` needs for ``source`` → ``target`` (None:
        ``ref`` is not multilingual). Raises UnsupportedLanguageError when it does not
        know one of the languages."""
        family = self.family(ref)
        if family is None:
            return None
        codes = []
        for language in (source, target):
            entry = self.languages.get(language)
            code = getattr(entry, family.codes, None) if entry else None
            if code is None:
                raise UnsupportedLanguageError(
                    f"no translation model for {source}→{target}: the multilingual model "
                    f"'{ref}' does not know '{language}'"
                )
            codes.append(code)
        token = codes[1] if family.codes == "flores" else f"__{codes[1]}__"
        return LanguagePair(codes[0], codes[1], token)


def registry_path() -> Path:
    """The registry file in use."""
    for candidate in _REGISTRY_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise UsageError("model registry not found: the installation is incomplete")


def languages_path(registry: Path | None = None) -> Path:
    """The language data beside the registry file."""
    return (registry or registry_path()).with_name(_LANGUAGES_FILE)


def data_digest() -> str:
    """A hash of the registry, language and abbreviation data in use (part of a batch's
    fingerprint)."""
    from importlib import resources

    digest = hashlib.sha256()
    for path in (registry_path(), languages_path()):
        digest.update(path.read_bytes() if path.is_file() else b"")
    # Sentence splitting depends on the abbreviation data, so outputs do too.
    abbreviations = resources.files("pipeline").joinpath("data/abbreviations.toml")
    digest.update(abbreviations.read_bytes() if abbreviations.is_file() else b"")
    return digest.hexdigest()


def _spec(entry: Mapping, task: str = "translation") -> ModelSpec:
    return ModelSpec(
        id=entry["id"],
        task=entry.get("task", task),
        source=entry["source"],
        target=entry["target"],
        revision=entry.get("revision") or None,
        prefix=entry.get("prefix", ""),
    )


def load_registry(path: Path | None = None) -> Registry:
    """Read the registry file (the packaged one unless ``path`` is given) and the language
    data beside it."""
    path = path or registry_path()
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    specs = tuple(_spec(entry) for entry in data.get("model", []))
    languages_file = languages_path(path)
    if not languages_file.is_file():
        return Registry(specs)
    with languages_file.open("rb") as handle:
        lang = tomllib.load(handle)
    return Registry(
        specs,
        languages={
            code: Language(code, v["name"], v["opus"], v.get("flores"), v.get("m2m"))
            for code, v in lang.get("languages", {}).items()
        },
        groups=tuple(
            OpusGroup(
                g["name"],
                frozenset(g["members"]),
                g.get("token", "opus"),
                g.get("to_en", True),
                g.get("from_en", True),
            )
            for g in lang.get("group", [])
        ),
        renames=tuple(_spec(entry) for entry in lang.get("rename", [])),
        quality=tuple(_spec(entry) for entry in lang.get("quality", [])),
        families=tuple(
            MultilingualFamily(f["match"], f["tokenizer"], f["codes"])
            for f in lang.get("multilingual", [])
        ),
        fallback_translator=lang.get("fallback_translator") or None,
        common=tuple(lang.get("common", [])),
    )


def default_store() -> Path:
    """The local model store: ``$PIPELINE_MODEL_STORE``, ``models/store`` in a source
    checkout, else the user cache directory. Nothing is created here."""
    return store_setting()[0]


def store_setting(model_store: Path | None = None) -> tuple[Path, str]:
    """The model store a run uses and what chose it (for messages): ``--model-store``
    when given, ``PIPELINE_MODEL_STORE``, ``the source checkout``, else ``the user cache``."""
    if model_store is not None:
        return Path(model_store).expanduser(), "--model-store"
    env = os.environ.get("PIPELINE_MODEL_STORE")
    if env:
        return Path(env).expanduser(), "PIPELINE_MODEL_STORE"
    checkout_models = _PACKAGE_DIR.parent / "models"
    if (checkout_models / "registry.toml").is_file():
        return checkout_models / "store", "the source checkout"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "bilingual-pipeline" / "models", "the user cache"
