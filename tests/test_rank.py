import pytest

from pipeline.stages.rank import key_sentence_count, textrank, top_sentences


def test_the_sentence_sharing_most_words_ranks_first():
    sentences = [
        "Le gouvernement annonce une réforme des retraites.",
        "La réforme des retraites inquiète les syndicats.",
        "Le gouvernement et les syndicats discutent de la réforme des retraites.",
        "Il pleuvait à Lyon.",
        "Les syndicats appellent à la grève contre le gouvernement.",
    ]
    scores = textrank(sentences)
    assert scores.index(max(scores)) == 2
    assert scores.index(min(scores)) == 3
    assert sum(scores) == pytest.approx(1.0)


@pytest.mark.parametrize(("n", "k"), [(1, 1), (2, 2), (3, 3), (10, 3), (25, 4), (40, 5), (400, 5)])
def test_key_sentence_count_is_three_to_five(n, k):
    assert key_sentence_count(n) == k


def test_top_sentences_come_back_in_document_order():
    sentences = [f"phrase {i} sur le budget" for i in range(8)] + ["budget budget budget"]
    picked = top_sentences(sentences)
    indices = [i for i, _ in picked]
    assert indices == sorted(indices)
    assert len(indices) == 3


def test_sentences_without_shared_words_are_ranked_uniformly():
    scores = textrank(["alpha", "beta", "gamma"])
    assert scores == pytest.approx([1 / 3] * 3)


def test_chinese_is_compared_by_characters():
    scores = textrank(["我们讨论经济政策", "经济政策很重要", "今天下雨"])
    assert scores[2] < min(scores[0], scores[1])
