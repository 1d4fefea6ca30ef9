"""The tables of the translation memory's SQLite file, and what brings an earlier version
of them up to date."""

#: Version of the tables below. An earlier version gains what it lacks, in place, every
#: entry kept (:data:`UPGRADES`); a later one is refused.
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS routes (
    route TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    description TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS translations (
    route TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    parts INTEGER NOT NULL DEFAULT 1,
    truncated_parts INTEGER NOT NULL DEFAULT 0,
    links TEXT,
    origin TEXT NOT NULL,
    created TEXT NOT NULL,
    score REAL,
    scored_tokens INTEGER,
    PRIMARY KEY (route, source, origin)
) WITHOUT ROWID;
"""

#: What brings a memory of each earlier version up to the next: columns added, every entry
#: kept (a NULL score: not known, so a machine entry is not served where a score is
#: needed; a person's translation has none and needs none).
UPGRADES = {
    1: (
        "ALTER TABLE translations ADD COLUMN score REAL",
        "ALTER TABLE translations ADD COLUMN scored_tokens INTEGER",
    ),
}

#: A row written over the one a sentence already has. The same translation keeps the
#: links and score it was stored with where this write has none (a caller that did not ask
#: for them), so callers that ask for different things do not undo each other's work.
UPSERT = """
INSERT INTO translations
    (route, source, target, parts, truncated_parts, links, origin, created, score, scored_tokens)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (route, source, origin) DO UPDATE SET
    target = excluded.target,
    parts = excluded.parts,
    truncated_parts = excluded.truncated_parts,
    created = excluded.created,
    links = CASE WHEN excluded.target = target
        THEN coalesce(excluded.links, links) ELSE excluded.links END,
    scored_tokens = CASE WHEN excluded.target = target AND excluded.score IS NULL
        THEN scored_tokens ELSE excluded.scored_tokens END,
    score = CASE WHEN excluded.target = target AND excluded.score IS NULL
        THEN score ELSE excluded.score END
"""

#: Tables added without a new version: a file without them (any version) gets them on
#: first write, and an earlier release reads a file that has them (it never looks at
#: them, and the language pairs' keys never match a route of its own).
EXTENSIONS = {
    # The language pair of each route (and of each pair key): what a TMX says.
    "directions": """CREATE TABLE IF NOT EXISTS directions (
        route TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        target TEXT NOT NULL
    )""",
    # Documents exported for review (``pipeline export --xliff``): what an import knows.
    "documents": """CREATE TABLE IF NOT EXISTS documents (
        document TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        language TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        sentences INTEGER NOT NULL,
        exported TEXT NOT NULL
    )""",
}
