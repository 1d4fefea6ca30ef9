"""A folder like the ones users point `pipeline translate` at: every format, several
languages, and the usual debris."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_6c5dc483d47dce09.txt"

FRENCH_NEWS = (
    "Le gouvernement a annoncé mardi une réforme des retraites qui inquiète les syndicats. "
    "Les représentants des salariés ont appelé à une grève nationale la semaine prochaine. "
    "Le ministre du Travail a déclaré qu'il restait ouvert au dialogue avec les partenaires."
)
#: Eight short, distinct French news sentences.
FRENCH_SENTENCES = [
    "Le gouvernement a annoncé mardi une réforme des retraites.",
    "Les syndicats appellent à la grève dans tout le pays.",
    "Le ministre a promis une concertation avant l'été.",
    "La réforme doit entrer en vigueur au début de l'année prochaine.",
    "Les partis de l'opposition ont critiqué un texte jugé trop rapide.",
    "Les manifestations ont réuni des milliers de personnes à Paris.",
    "Le Sénat examinera le projet de loi le mois prochain.",
    "Les économistes restent divisés sur les effets de la réforme.",
]
GERMAN_NEWS = (
    "Die Bundesregierung hat am Dienstag ein neues Klimaschutzgesetz vorgestellt. "
    "Die Opposition kritisierte den Entwurf als unzureichend und viel zu spät. "
    "Der Umweltminister erklärte, dass die Industrie mehr Zeit für die Umstellung brauche."
)
SPANISH_NEWS = (
    "El gobierno presentó el martes un nuevo plan para mejorar el transporte público. "
    "Los sindicatos de conductores anunciaron que apoyarán la propuesta con algunas condiciones. "
    "La alcaldesa de la ciudad dijo que las obras comenzarán en primavera."
)
ENGLISH_NEWS = (
    "The government presented a new plan on Tuesday to improve public transport. "
    "Drivers' unions said they would support the proposal under some conditions. "
    "The mayor said that construction work would begin in the spring."
)
FINNISH_NEWS = (
    "Hallitus esitteli tiistaina uuden suunnitelman julkisen liikenteen parantamiseksi. "
    "Kuljettajien ammattiliitot ilmoittivat tukevansa ehdotusta tietyin ehdoin. "
    "Pormestari sanoi, että rakennustyöt alkavat keväällä."
)
ITALIAN_NEWS = (
    "Il governo ha presentato martedì un nuovo piano per migliorare il trasporto pubblico. "
    "I sindacati degli autisti hanno annunciato che sosterranno la proposta a certe condizioni. "
    "La sindaca della città ha detto che i lavori cominceranno in primavera."
)

HTML_PAGE = f"""<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">
<title>Noticias</title><script>var tracking = "NO_TRADUCIR_SCRIPT";</script>
<style>body {{ color: red; }}</style></head><body>
<nav><a href="/">Inicio</a> <a href="/deportes">Deportes</a> MENU_NAVEGACION</nav>
<article><h1>Nuevo plan de transporte</h1>
<p>{SPANISH_NEWS}</p>
<p>Los vecinos celebraron la noticia en las redes sociales durante toda la tarde.</p>
</article>
<footer>Aviso legal PIE_DE_PAGINA. Todos los derechos reservados.</footer>
</body></html>"""


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> None:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    document.save(path)


def make_pdf(path: Path, paragraphs: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for text in paragraphs:
        pdf.multi_cell(0, 8, text)
        pdf.ln(8)
    pdf.output(str(path))


def make_scanned_pdf(path: Path) -> None:
    """A PDF with a drawing and no text layer, like a scan."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))


#: Relative path → expected batch status, for :func:`make_corpus`.
EXPECTED = {
    "fr/article.txt": "done",
    "fr/Élections régionales 2024.txt": "done",
    "fr/latin1.txt": "done",
    "fr/rapport.docx": "done",
    "fr/rapport.pdf": "done",
    "fr/scan.pdf": "skipped",
    "de/Bericht.MD": "done",
    "es/noticia.html": "done",
    "en/report.txt": "done",
    "fi/uutinen.txt": "skipped",  # offline, no Finnish model here: exit code 3
    "misc/empty.txt": "skipped",
    "misc/blob.txt": "skipped",
    "a/b/c/profond.markdown": "done",
}


def make_corpus(root: Path) -> dict[str, str]:
    """Write the corpus under ``root``; return :data:`EXPECTED`."""
    files: dict[str, bytes] = {
        "fr/article.txt": SEED.read_bytes(),
        "fr/Élections régionales 2024.txt": FRENCH_NEWS.encode("utf-8"),
        "fr/latin1.txt": FRENCH_NEWS.encode("latin-1"),
        "de/Bericht.MD": f"# Klimaschutz\n\n{GERMAN_NEWS}\n".encode(),
        "es/noticia.html": HTML_PAGE.encode("utf-8"),
        "en/report.txt": ENGLISH_NEWS.encode("utf-8"),
        "fi/uutinen.txt": FINNISH_NEWS.encode("utf-8"),
        "misc/empty.txt": b"",
        "misc/blob.txt": bytes(range(256)) * 8,
        "a/b/c/profond.markdown": f"## Profond\n\n{FRENCH_NEWS}\n".encode(),
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    make_docx(
        root / "fr/rapport.docx",
        FRENCH_NEWS.split(". ")[:2],
        [["Région", "Participation"], ["Bretagne", "Soixante pour cent des électeurs"]],
    )
    make_pdf(root / "fr/rapport.pdf", [FRENCH_NEWS])
    make_scanned_pdf(root / "fr/scan.pdf")
    return dict(EXPECTED)
