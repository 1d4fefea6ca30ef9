"""Documents in: formats read into paragraphs, text repaired, the language identified,
sentences cut, text without letters set aside. Nothing here loads a model."""
