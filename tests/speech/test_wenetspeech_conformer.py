"""The full-size conformer_wenetspeech builder: the recipe's sizes, and hypotheses of spoken
length (what bench/analysis.py --full-asr relies on to measure the real model's cost)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

if importlib.util.find_spec("paddlespeech") is None:
    pytest.skip("paddlepaddle + paddlespeech are not installed", allow_module_level=True)

from tests.speech import tinyconformer  # needs paddle: after the skip
from tests.speech import wenetspeech_conformer as full


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    root = tmp_path_factory.mktemp("wenetspeech")
    return full.build_model(root), root


def _linear(inputs: int, outputs: int, bias: bool = True) -> int:
    return inputs * outputs + (outputs if bias else 0)


def test_sizes_are_the_recipes(model: tuple[Any, Path]) -> None:
    """Parameter counts derived part by part from conformer.yaml's sizes: a wrong size in the
    builder (width, heads' projections, blocks, kernel, vocabulary) changes one of them."""
    u2, root = model
    d, ff, vocab, kernel = 512, 2048, 5538, 15
    norm = 2 * d
    feed_forward = _linear(d, ff) + _linear(ff, d)
    rel_attention = 4 * _linear(d, d) + _linear(d, d, bias=False) + 2 * d  # + pos_bias_u/v
    convolution = _linear(d, 2 * d) + (d * kernel + d) + norm + _linear(d, d)
    conformer_block = 2 * feed_forward + rel_attention + convolution + 5 * norm
    frequencies = ((80 - 1) // 2 - 1) // 2  # two 3x3 stride-2 convolutions over 80 mels
    subsampling = (9 * d + d) + (9 * d * d + d) + _linear(d * frequencies, d)
    decoder_block = 2 * _linear(d, d) * 4 + feed_forward + 3 * norm + 2 * _linear(2 * d, d)
    assert full.parameter_count(u2.encoder) == 12 * conformer_block + subsampling + norm
    assert full.parameter_count(u2.decoder) == (
        d * vocab + 6 * decoder_block + norm + _linear(d, vocab)
    )
    assert full.parameter_count(u2.ctc) == _linear(d, vocab)
    assert full.parameter_count(u2) == full.PARAMETERS
    vocabulary = (root / "data/lang_char/vocab.txt").read_text("utf-8").split()
    assert len(vocabulary) == vocab == len(set(vocabulary))
    assert vocabulary[0] == "<blank>" and vocabulary[-1] == "<eos>"


def test_hypotheses_have_the_spoken_length(tmp_path: Path) -> None:
    """After speak_at_rate, greedy CTC emits about the spoken number of units and attention
    decoding stops at its length, instead of running to the encoder's length."""
    import paddle
    from paddlespeech.audio.transform.spectrogram import LogMelSpectrogramKaldi

    u2 = full.build_model(tmp_path)
    pcm = np.round(tinyconformer.synthetic_audio(6.0, seed=3) * 32767).astype(np.int16)
    facts = full.speak_at_rate(u2, [pcm], units_per_second=4.0)
    assert facts["units"] == pytest.approx(24.0) and facts["decoder_length"] == 24

    fbank = LogMelSpectrogramKaldi(**{k: v for k, v in tinyconformer.FBANK.items() if k != "type"})
    feats = paddle.to_tensor(fbank(pcm, train=False)[None].astype(np.float32))
    lengths = paddle.to_tensor([feats.shape[1]], dtype="int64")
    with paddle.no_grad():
        greedy = u2.ctc_greedy_search(feats, lengths)[0]
        attention = u2.recognize(feats, lengths, beam_size=full.BEAM_SIZE)[0].numpy()
    frames = feats.shape[1] // 4  # far more than 24: the stop comes from the decoder
    assert frames > 100
    assert abs(len(greedy) - 24) <= 2
    eos = full.VOCAB_SIZE - 1
    assert attention.tolist()[24:] == [eos]  # 24 units, then every beam ended
    assert eos not in attention.tolist()[:24]
