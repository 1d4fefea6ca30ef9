"""Build tiny random-weight models of the real architectures, offline.

MarianMT with a MarianTokenizer over SentencePiece models trained here, and BART with a
byte-level BPE tokenizer trained here. Their output is gibberish; they exist so the real
loading, tokenization, batching and generation code runs in tests without a model hub.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FRENCH = """Les États-Unis ont appelé le gouvernement à arrêter d'aggraver les tensions.
Le ministre a déclaré que la situation restait très préoccupante pour la région.
Nous avons essayé de repousser toute action unilatérale, en particulier de la part du voisin.
Au cours de ses conversations, il a appelé à la retenue et à une diplomatie renouvelée.
Les troupes se sont emparées d'un village dans l'est du pays et ont tenté de pénétrer plus loin.
Le département a déploré les mouvements de troupes, les qualifiant d'irresponsables.
La commission sénatoriale a accusé le pays d'essayer d'éliminer la présence des habitants.
Le président a critiqué le gouvernement pour avoir continué à fournir une aide importante.
Les élections auront lieu au printemps prochain dans toutes les régions du pays.
Les chercheurs ont publié une étude sur le climat, l'énergie et l'agriculture en Europe.
La ville de Paris accueille chaque année des millions de visiteurs venus du monde entier.
Le prix du pain a augmenté de dix pour cent depuis le début de l'année, selon l'institut.
Quelle est la position officielle du gouvernement ? Personne ne le sait vraiment !
"""

GERMAN = """Die Regierung hat die Wahlen für den nächsten Frühling angekündigt.
Der Minister sagte, dass die Lage in der Region sehr besorgniserregend bleibt.
Die Forscher haben eine Studie über das Klima und die Energie in Europa veröffentlicht.
Die Stadt Berlin empfängt jedes Jahr Millionen von Besuchern aus aller Welt.
Der Brotpreis ist seit Jahresbeginn um zehn Prozent gestiegen.
Was ist die offizielle Position der Regierung? Niemand weiß es wirklich!
"""

SPANISH = """El gobierno anunció las elecciones para la próxima primavera en todo el país.
El ministro dijo que la situación en la región sigue siendo muy preocupante.
Los investigadores publicaron un estudio sobre el clima y la energía en Europa.
La ciudad de Madrid recibe cada año a millones de visitantes de todo el mundo.
El precio del pan ha subido un diez por ciento desde el comienzo del año.
¿Cuál es la posición oficial del gobierno? ¡Nadie lo sabe realmente!
"""

ENGLISH = """The United States called on the government to stop escalating tensions.
The minister said that the situation remained very worrying for the region.
We have tried to push back any unilateral action, especially from the neighbour.
During his conversations, he called for restraint and renewed diplomacy.
The troops seized a village in the east of the country and tried to go further.
The department deplored the troop movements, calling them irresponsible.
The Senate committee accused the country of trying to eliminate the inhabitants.
The president criticised the government for continuing to provide significant aid.
The elections will take place next spring in all regions of the country.
Researchers published a study on climate, energy and agriculture in Europe.
The city of Paris welcomes millions of visitors from all over the world every year.
The price of bread has risen by ten percent since the beginning of the year.
What is the official position of the government? Nobody really knows!
"""


def _train_spm(corpus: str, prefix: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    text_file = prefix.with_suffix(".txt")
    text_file.write_text(corpus * 3, encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(text_file),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
        pad_id=-1,
        minloglevel=2,
    )
    text_file.unlink()


def build_marian(
    out_dir: Path,
    source_corpus: str = FRENCH,
    target_corpus: str = ENGLISH,
    *,
    max_positions: int = 512,
    max_new_length: int = 64,
    d_model: int = 16,
    seed: int = 0,
    spm_vocab: int = 200,
    vocab_size: int | None = None,
    arch: dict | None = None,
    eos_bias: float = 5.5,
) -> Path:
    """Save a tiny MarianMTModel and MarianTokenizer to ``out_dir``; return it.

    ``vocab_size`` pads the vocabulary with unused tokens (the real opus-mt size is 59,514)
    and ``arch`` overrides MarianConfig fields, so the benchmark can build real-size shapes.
    """
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    _train_spm(source_corpus, out_dir / "source", spm_vocab)
    _train_spm(target_corpus, out_dir / "target", spm_vocab)
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for name in ("source", "target"):
        sp = spm.SentencePieceProcessor(model_file=str(out_dir / f"{name}.model"))
        for i in range(sp.get_piece_size()):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
    while vocab_size and len(vocab) < vocab_size - 1:
        vocab[f"<unused{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    pad = vocab["<pad>"]
    (out_dir / "source.model").rename(out_dir / "source.spm")
    (out_dir / "target.model").rename(out_dir / "target.spm")
    for extra in out_dir.glob("*.vocab"):
        extra.unlink()
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        vocab=str(out_dir / "vocab.json"),
        model_max_length=max_positions,
    )
    tokenizer.save_pretrained(out_dir)

    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=max_positions,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        init_std=0.5,
    )
    for key, value in (arch or {}).items():
        setattr(config, key, value)
    model = MarianMTModel(config).eval()
    # A random model rarely chooses to stop; a bias on </s> makes outputs end on their own
    # at varied lengths, as a trained model's do.
    with torch.no_grad():
        model.final_logits_bias[0, 0] = eos_bias
    # Mirror the real opus-mt generation config, with a short max_length so tests are fast;
    # unk, pad and the bare word-boundary piece are banned so every sentence yields text.
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad], [1], [vocab["▁"]]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad,
        max_length=max_new_length,
        min_new_tokens=2,
        num_beams=2,
    )
    model.save_pretrained(out_dir)
    return out_dir


def build_bart(
    out_dir: Path,
    corpus: str = ENGLISH,
    *,
    max_positions: int = 128,
    max_length: int = 24,
    min_length: int = 4,
    d_model: int = 16,
    seed: int = 0,
    bpe_vocab: int = 400,
    vocab_size: int | None = None,
    arch: dict | None = None,
    eos_bias: float = 0.0,
) -> Path:
    """Save a tiny BartForConditionalGeneration with a byte-level BPE tokenizer.

    ``vocab_size`` pads the vocabulary with unused tokens (distilbart's is 50,264) and
    ``arch`` overrides BartConfig fields.
    """
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        BartTokenizer,
        GenerationConfig,
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        [corpus] * 3, vocab_size=bpe_vocab, min_frequency=1, special_tokens=specials
    )
    bpe.save_model(str(out_dir))
    if vocab_size:
        vocab = json.loads((out_dir / "vocab.json").read_text(encoding="utf-8"))
        while len(vocab) < vocab_size:
            vocab[f"<unused{len(vocab)}>"] = len(vocab)
        (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = BartTokenizer.from_pretrained(out_dir, model_max_length=max_positions)
    tokenizer.save_pretrained(out_dir)

    torch.manual_seed(seed)
    config = BartConfig(
        vocab_size=vocab_size or bpe.get_vocab_size(),
        d_model=d_model,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=max_positions,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        init_std=0.5,
    )
    for key, value in (arch or {}).items():
        setattr(config, key, value)
    model = BartForConditionalGeneration(config).eval()
    with torch.no_grad():
        model.final_logits_bias[0, 2] = eos_bias
    # Shaped like distilbart-cnn-12-6's generation config, scaled down.
    model.generation_config = GenerationConfig(
        bos_token_id=0,
        decoder_start_token_id=2,
        eos_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        pad_token_id=1,
        max_length=max_length,
        min_length=min_length,
        no_repeat_ngram_size=3,
        num_beams=2,
        length_penalty=2.0,
        early_stopping=True,
        bad_words_ids=[[3]],
    )
    model.save_pretrained(out_dir)
    return out_dir


def _multilingual_model(
    out_dir: Path, tokenizer, *, vocab_size: int, seed: int, max_positions: int
) -> Path:
    """A tiny M2M100ForConditionalGeneration (the architecture of M2M100 and NLLB-200) for
    ``tokenizer``, with a generation config shaped like the real ones (no forced BOS: the
    target language is chosen per call)."""
    import torch
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration

    tokenizer.save_pretrained(out_dir)
    torch.manual_seed(seed)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in ("<s>", "<pad>", "</s>", "<unk>")}
    config = M2M100Config(
        vocab_size=vocab_size,
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=max_positions,
        bos_token_id=ids["<s>"],
        pad_token_id=ids["<pad>"],
        eos_token_id=ids["</s>"],
        decoder_start_token_id=ids["</s>"],
        init_std=0.5,
        scale_embedding=True,
    )
    model = M2M100ForConditionalGeneration(config).eval()
    # M2M100 has no output bias, so one is made: hidden dimension 0 is pinned near 10 by the
    # final layer norm, and each output row's weight on it becomes its bias. </s> gets +5 so
    # outputs end on their own at varied lengths, as a trained model's do; language codes
    # and the other special tokens get -100 so a random model never emits them after the
    # forced first token (a trained one does not either).
    banned = [i for t, i in tokenizer.get_vocab().items() if t in tokenizer.all_special_tokens]
    banned += list(getattr(tokenizer, "lang_code_to_id", {}).values())  # M2M100's
    with torch.no_grad():
        model.model.decoder.layer_norm.bias[0] = 10.0
        head = model.get_output_embeddings().weight
        head[:, 0] = 0.0
        head[banned, 0] = -10.0
        head[ids["</s>"], 0] = 1.0
    model.generation_config = GenerationConfig(
        bos_token_id=ids["<s>"],
        decoder_start_token_id=ids["</s>"],
        eos_token_id=ids["</s>"],
        pad_token_id=ids["<pad>"],
        bad_words_ids=[[ids["<unk>"]], [ids["<pad>"]]],
        max_length=32,
        min_new_tokens=3,
        num_beams=2,
    )
    model.save_pretrained(out_dir)
    return out_dir


def build_nllb(out_dir: Path, *, seed: int = 0, max_positions: int = 256) -> Path:
    """A tiny NLLB-200-architecture model: an NllbTokenizer (SentencePiece-style BPE trained
    here, plus the 202 FLORES-200 language-code tokens) and an M2M100 model."""
    from tokenizers import SentencePieceBPETokenizer
    from transformers import NllbTokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    bpe = SentencePieceBPETokenizer()
    bpe.train_from_iterator(
        [FRENCH + ENGLISH + GERMAN + SPANISH] * 3,
        vocab_size=300,
        min_frequency=1,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        show_progress=False,
    )
    trained = json.loads(bpe._tokenizer.to_str())["model"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in trained["merges"]]
    tokenizer = NllbTokenizer(vocab=trained["vocab"], merges=merges, model_max_length=max_positions)
    return _multilingual_model(
        out_dir, tokenizer, vocab_size=len(tokenizer), seed=seed, max_positions=max_positions
    )


def build_m2m100(out_dir: Path, *, seed: int = 0, max_positions: int = 256) -> Path:
    """A tiny M2M100-architecture model with an M2M100Tokenizer (SentencePiece trained here,
    plus the 100 ``__xx__`` language tokens)."""
    import sentencepiece as spm
    from transformers import M2M100Tokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    _train_spm(FRENCH + ENGLISH + GERMAN + SPANISH, out_dir / "spm", 300)
    sp = spm.SentencePieceProcessor(model_file=str(out_dir / "spm.model"))
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(sp.get_piece_size()):
        vocab.setdefault(sp.id_to_piece(i), len(vocab))
    (out_dir / "spm.model").rename(out_dir / "sentencepiece.bpe.model")
    (out_dir / "spm.vocab").unlink()
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = M2M100Tokenizer(
        str(out_dir / "vocab.json"),
        str(out_dir / "sentencepiece.bpe.model"),
        model_max_length=max_positions,
    )
    # As in the real M2M100: the SentencePiece vocabulary, the language tokens, then
    # "madeup" padding words.
    size = len(vocab) + len(tokenizer.lang_code_to_id) + tokenizer.num_madeup_words
    return _multilingual_model(
        out_dir, tokenizer, vocab_size=size, seed=seed, max_positions=max_positions
    )


def tiny_pipeline(models: dict[str, Path], **options: Any):
    """The test pipeline: the tiny fr→en and en→fr translators and BART summarizer of
    ``models`` (the ``tiny_models`` fixture), on the CPU; ``options`` override any of it
    (``summarizer="extractive"``, ``backend="transformers"``)."""
    from pipeline import BilingualPipeline, PipelineOptions

    defaults = {
        "translator": str(models["fr-en"]),
        "back_translator": str(models["en-fr"]),
        "summarizer": str(models["bart"]),
        "device": "cpu",
    }
    return BilingualPipeline(PipelineOptions(**(defaults | options)))
