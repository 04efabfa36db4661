"""PaddleSpeech's full-size ``conformer_wenetspeech`` architecture with random weights.

What the recogniser costs to run does not depend on what the weights know, so a random
model of the released architecture, loaded through the same adapter, gives the real
model's real-time factor and memory without downloading its 470 MB checkpoint. Sizes are those of
PaddleSpeech's recipe ``examples/wenetspeech/asr1/conf/conformer.yaml`` (decoding from
``conf/tuning/decode.yaml``; the vocabulary size from the data list shown in
``examples/wenetspeech/asr1/README.md``, targets of shape ``[len, 5538]``), as of
PaddleSpeech commit 969f339 (2024-03-04). Only the values are taken; the file is ours.

One thing does depend on the weights: how long the hypotheses are, and the search's cost
grows with it (prefix beam search extends and sorts prefixes, attention rescoring runs the
decoder over every hypothesis, attention decoding runs the decoder once per output unit
until every beam has ended). A random model's hypotheses have no spoken length: its
encoder's output barely changes over time, so greedy CTC collapses one unit repeated on
every frame; a flat CTC posterior lets prefix beam search grow its prefixes on most
frames; and its decoder never predicts ``<eos>``, so attention decoding runs to the
encoder's length (749 steps for 30 s). :func:`speak_at_rate` therefore sets, without
changing a single operation's shape: the CTC layer (centred on the encoder's average
output, sharpened to a trained model's confidence, the blank's bias calibrated on the audio
to be decoded so that greedy CTC emits the spoken number of characters), and a decoder
whose output depends only on the position and ends at a given length (its embedding and
its layers' output projections are zero: the same matrix products, the residual stream
then the positional encoding alone).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from interview_core.speech.models import ModelManifest, write_manifest
from interview_core.speech.paddle import paddlespeech_modules
from tests.speech.tinyconformer import FBANK, SAMPLE_RATE, synthetic_audio

VOCAB_SIZE = 5538  # <blank>, <unk>, 5535 characters, <eos>/<sos>
BEAM_SIZE = 10
# What these sizes give (the unit test derives it again, part by part): encoder 83.1 M
# (12 conformer blocks of 6.3 M, conv2d subsampling 7.3 M), decoder 37.2 M (6 blocks of
# 5.25 M, 1.05 M of them the concat_after projections, built and saved though unused;
# embedding and output layer 2.8 M each), CTC layer 2.8 M. 123.2 M float32 = 470 MB.
PARAMETERS = 123_173_700
EOS_MARGIN = 30.0  # nats between <eos> and the best other unit, before and at the end
CTC_LOGIT_STD = 20.0  # the best of 5538 units is then ~5 nats above the second best


def vocabulary() -> list[str]:
    """``VOCAB_SIZE`` units: the markers and the first CJK ideographs (which ones does not
    matter to the cost)."""
    characters = [chr(0x4E00 + i) for i in range(VOCAB_SIZE - 3)]
    return ["<blank>", "<unk>", *characters, "<eos>"]


def config(vocab_path: str, cmvn_path: str) -> dict[str, Any]:
    """The inference config of conformer_wenetspeech (recipe values; dropout off, as at
    inference)."""
    return {
        "cmvn_file_type": "json",
        "encoder": "conformer",
        "encoder_conf": {
            "output_size": 512,
            "attention_heads": 8,
            "linear_units": 2048,
            "num_blocks": 12,
            "dropout_rate": 0.0,
            "positional_dropout_rate": 0.0,
            "attention_dropout_rate": 0.0,
            "input_layer": "conv2d",  # 4x subsampling: 30 s = 3000 frames -> 749
            "normalize_before": True,
            "use_cnn_module": True,
            "cnn_module_kernel": 15,
            "cnn_module_norm": "layer_norm",
            "activation_type": "swish",
            "pos_enc_layer_type": "rel_pos",
            "selfattention_layer_type": "rel_selfattn",
        },
        "decoder": "transformer",
        "decoder_conf": {
            "attention_heads": 8,
            "linear_units": 2048,
            "num_blocks": 6,
            "dropout_rate": 0.0,
            "positional_dropout_rate": 0.0,
            "self_attention_dropout_rate": 0.0,
            "src_attention_dropout_rate": 0.0,
        },
        "model_conf": {"ctc_weight": 0.3, "lsm_weight": 0.1, "length_normalized_loss": False},
        "unit_type": "char",
        "vocab_filepath": vocab_path,
        "spm_model_prefix": "",
        "cmvn_file": cmvn_path,
        "input_dim": 80,
        "output_dim": VOCAB_SIZE,
        # conf/preprocess.yaml at inference: kaldi fbank, 80 mels, 25 ms window, 10 ms shift
        "preprocess_config": {"process": [{**FBANK, "dither": 0.1}]},
        "decode": {
            "decoding_method": "attention_rescoring",
            "beam_size": BEAM_SIZE,
            "ctc_weight": 0.5,
            "decoding_chunk_size": -1,
            "num_decoding_left_chunks": -1,
            "simulate_streaming": False,
            # decode.yaml says 0.3 for U2++; this model's decoder is unidirectional
            "reverse_weight": 0.0,
        },
    }


def parameter_count(model: Any) -> int:
    return int(sum(int(np.prod(p.shape)) for p in model.parameters()))


def _cmvn_stats() -> dict[str, Any]:
    from paddlespeech.audio.transform.spectrogram import LogMelSpectrogramKaldi

    fbank = LogMelSpectrogramKaldi(**{k: v for k, v in FBANK.items() if k != "type"})
    feats = fbank(np.round(synthetic_audio(10.0) * 32767).astype(np.int16), train=False)
    return {
        "mean_stat": feats.sum(axis=0).tolist(),
        "var_stat": (feats**2).sum(axis=0).tolist(),
        "frame_num": int(feats.shape[0]),
    }


def build_model(root: Path) -> Any:
    """The random model, its data files written under ``root/data``."""
    paddlespeech_modules()  # its offline guards must be in place before paddlespeech loads
    import paddle
    import yaml
    from paddlespeech.s2t.models.u2 import U2Model
    from yacs.config import CfgNode

    (root / "data" / "lang_char").mkdir(parents=True, exist_ok=True)
    (root / "data" / "lang_char" / "vocab.txt").write_text("\n".join(vocabulary()) + "\n", "utf-8")
    (root / "data" / "mean_std.json").write_text(json.dumps(_cmvn_stats()), "utf-8")
    relative = config("data/lang_char/vocab.txt", "data/mean_std.json")
    (root / "model.yaml").write_text(yaml.safe_dump(relative, allow_unicode=True), "utf-8")
    paddle.seed(1234)
    absolute = config(str(root / "data/lang_char/vocab.txt"), str(root / "data/mean_std.json"))
    model = U2Model.from_config(CfgNode(absolute))
    model.eval()
    return model


def speak_at_rate(
    model: Any, pieces: list[npt.NDArray[np.int16]], units_per_second: float
) -> dict[str, float]:
    """Make hypotheses as long as ``units_per_second`` of speech would be (see the module
    docstring). ``pieces`` are the int16 chunks the recogniser will decode."""
    import paddle
    from paddlespeech.audio.transform.spectrogram import LogMelSpectrogramKaldi

    fbank = LogMelSpectrogramKaldi(**{k: v for k, v in FBANK.items() if k != "type"})
    encoded = []
    with paddle.no_grad():
        for pcm in pieces:
            feats = paddle.to_tensor(fbank(pcm, train=False)[None].astype(np.float32))
            lengths = paddle.to_tensor([feats.shape[1]], dtype="int64")
            out, _ = model._forward_encoder(feats, lengths, -1, -1, False)
            encoded.append(out[0].numpy())
    # A random encoder's output barely changes over time: the same unit would win every
    # frame and collapse into one. Centre the CTC layer on the average output, so the best
    # unit changes from frame to frame as it does on speech.
    # And sharpen it to a trained model's confidence: most frames almost surely blank, an
    # emitted unit almost surely that unit (else prefix beam search keeps growing prefixes
    # that a trained model would not have).
    linear = model.ctc.ctc_lo
    weight = linear.weight.numpy()  # (encoder_dim, vocab)
    bias = -np.concatenate(encoded).mean(axis=0) @ weight
    spread = float(np.std(np.concatenate([e @ weight + bias for e in encoded])))
    weight, bias = weight * CTC_LOGIT_STD / spread, bias * CTC_LOGIT_STD / spread
    linear.weight.set_value(weight.astype(np.float32))
    frames = [e @ weight + bias for e in encoded]
    seconds = sum(len(p) for p in pieces) / SAMPLE_RATE
    target = units_per_second * seconds
    shift = _blank_shift(frames, target)
    bias[0] += shift
    linear.bias.set_value(bias.astype(np.float32))
    # One length for every piece (the decoder cannot see how long its piece is): the one
    # that costs what speaking at this rate would. A step's cost grows with the piece's
    # length (the cross-attention reads every encoder frame), and so does the step count:
    # sum(length * d) = sum(rate * d * d).
    durations = [len(p) / SAMPLE_RATE for p in pieces]
    length = max(round(units_per_second * sum(d * d for d in durations) / seconds), 1)
    _decoder_ends_at(model, length)
    return {"blank_shift": shift, "units": target, "decoder_length": float(length)}


def _greedy_units(frames: list[npt.NDArray[np.float32]], shift: float) -> int:
    units = 0
    for logits in frames:
        best = np.argmax(np.concatenate([logits[:, :1] + shift, logits[:, 1:]], axis=1), axis=1)
        collapsed = best[np.insert(best[1:] != best[:-1], 0, True)]
        units += int(np.count_nonzero(collapsed))
    return units


def _blank_shift(frames: list[npt.NDArray[np.float32]], target: float) -> float:
    """The blank bias at which greedy CTC emits ``target`` units (bisection: fewer units as
    the blank's bias grows)."""
    low, high = -500.0, 500.0
    for _ in range(60):
        middle = (low + high) / 2
        if _greedy_units(frames, middle) > target:
            low = middle
        else:
            high = middle
    return high


def _decoder_ends_at(model: Any, length: int) -> None:
    """A decoder whose scores depend on the position only and whose best unit is ``<eos>``
    from output position ``length`` on, and never before."""
    import paddle

    decoder = model.decoder
    embedding = decoder.embed[0]
    _zero(embedding.weight)
    for layer in decoder.decoders:
        for linear in (layer.self_attn.linear_out, layer.src_attn.linear_out):
            _zero(linear.weight)
            _zero(linear.bias)
        _zero(layer.feed_forward.w_2.weight)
        _zero(layer.feed_forward.w_2.bias)
    with paddle.no_grad():
        pe = decoder.embed[1].pe[0, : 4 * length + 8]
        states = decoder.after_norm(pe).numpy()  # what the output layer sees at each position
    # the positional dimension that best separates position ``length`` from all before it
    dimension, sign = _separating_dimension(states, length)
    values = sign * states[:, dimension]
    before, at = float(values[:length].max()), float(values[length])
    scale = sign * EOS_MARGIN * 2 / (at - before)
    weight = decoder.output_layer.weight.numpy()  # (attention_dim, vocab)
    bias = decoder.output_layer.bias.numpy()
    eos = weight.shape[1] - 1
    weight[:, eos] = 0.0
    weight[dimension, eos] = scale
    bias[eos] = -abs(scale) * (before + at) / 2
    decoder.output_layer.weight.set_value(weight)
    decoder.output_layer.bias.set_value(bias)


def _separating_dimension(states: npt.NDArray[np.float32], length: int) -> tuple[int, int]:
    """(dimension, sign) where position ``length`` is furthest above every earlier one."""
    gaps = []
    for sign in (1, -1):
        values = sign * states[: length + 1]
        gap = values[length] - values[:length].max(axis=0)
        best = int(np.argmax(gap))
        gaps.append((float(gap[best]), best, sign))
    gap, dimension, sign = max(gaps)
    if gap <= 0:
        raise ValueError(f"no positional dimension separates position {length}")
    return dimension, sign


def _zero(parameter: Any) -> None:
    parameter.set_value(np.zeros(parameter.shape, dtype=np.float32))


def build_model_dir(
    model_dir: Path,
    *,
    pieces: list[npt.NDArray[np.int16]] | None = None,
    units_per_second: float = 4.5,
    name: str = "conformer-wenetspeech-random",
) -> tuple[Path, dict[str, float]]:
    """An installed-layout model directory of the full-size model; with ``pieces``, its
    hypotheses are made as long as that much speech would give (``speak_at_rate``)."""
    import paddle

    model_dir.mkdir(parents=True, exist_ok=True)
    model = build_model(model_dir)
    facts: dict[str, float] = {"parameters": float(parameter_count(model))}
    if pieces:
        facts.update(speak_at_rate(model, pieces, units_per_second))
    paddle.save(model.state_dict(), str(model_dir / "model.pdparams"))
    write_manifest(model_dir, ModelManifest(name=name, model_type="conformer_wenetspeech"))
    return model_dir, facts
