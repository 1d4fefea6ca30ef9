"""The stages a document goes through once read: translation, quality checks, key
sentences, summarization, back-translation, and the assembly of its result. Each stage
takes the items of many documents at once and returns results in the same order."""
