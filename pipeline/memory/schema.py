"""The tables of the translation memory's SQLite file."""

#: Version of the tables below; a file of another version is refused, never converted.
SCHEMA_VERSION = 1

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
    PRIMARY KEY (route, source, origin)
) WITHOUT ROWID;
"""

#: Tables added since schema 1 without changing it: a file of an earlier release gets
#: them on first write, and an earlier release reads a file that has them (it never
#: looks at them, and the language pairs' keys never match a route of its own).
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
