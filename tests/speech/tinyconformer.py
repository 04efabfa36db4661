"""A tiny, randomly initialised PaddleSpeech conformer, so tests run the real load-and-decode path.

Two encoder blocks of width 16, one decoder block, a vocabulary of a few Chinese characters;
cmvn statistics come from the fbank features of synthetic audio. It decodes in
milliseconds and its text is random, as expected: tests assert types and timestamps, never
words. Needs paddlepaddle + paddlespeech (the caller skips without them).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import numpy as np

from interview_core.speech.models import ModelManifest, write_manifest
from interview_core.speech.paddle import paddlespeech_modules

VOCAB = ["<blank>", "<unk>", "你", "好", "我", "是", "做", "过", "项", "目", "团", "队", "<eos>"]
SAMPLE_RATE = 16000
FBANK = {"type": "fbank_kaldi", "fs": SAMPLE_RATE, "n_mels": 80, "n_shift": 160, "win_length": 400}


def config(vocab_path: str, cmvn_path: str) -> dict[str, Any]:
    """An inference config shaped like PaddleSpeech's released ``model.yaml``."""
    no_dropout = {"dropout_rate": 0.0, "positional_dropout_rate": 0.0}
    return {
        "encoder": "conformer",
        "encoder_conf": {
            "output_size": 16,
            "attention_heads": 2,
            "linear_units": 32,
            "num_blocks": 2,
            **no_dropout,
            "attention_dropout_rate": 0.0,
            "input_layer": "conv2d",
            "normalize_before": True,
            "use_cnn_module": True,
            "cnn_module_kernel": 3,
            "cnn_module_norm": "layer_norm",
            "activation_type": "swish",
            "pos_enc_layer_type": "rel_pos",
            "selfattention_layer_type": "rel_selfattn",
        },
        "decoder": "transformer",
        "decoder_conf": {
            "attention_heads": 2,
            "linear_units": 32,
            "num_blocks": 1,
            **no_dropout,
            "self_attention_dropout_rate": 0.0,
            "src_attention_dropout_rate": 0.0,
        },
        "model_conf": {"ctc_weight": 0.3, "lsm_weight": 0.1, "length_normalized_loss": False},
        "unit_type": "char",
        "vocab_filepath": vocab_path,
        "spm_model_prefix": "",
        "cmvn_file": cmvn_path,
        "cmvn_file_type": "json",
        "input_dim": 80,
        "output_dim": len(VOCAB),
        "preprocess_config": {"process": [{**FBANK, "dither": 0.1}]},
        "decode": {
            "decoding_method": "attention_rescoring",
            "beam_size": 3,
            "ctc_weight": 0.5,
            "decoding_chunk_size": -1,
            "num_decoding_left_chunks": -1,
            "simulate_streaming": False,
            "reverse_weight": 0.0,
        },
    }


def synthetic_audio(seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    """A gliding tone with noise, float32 in [-1, 1] at 16 kHz."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    rng = np.random.default_rng(seed)
    tone = 0.3 * np.sin(2 * np.pi * (180 + 40 * t) * t) + 0.05 * rng.standard_normal(t.size)
    return tone.astype(np.float32)


def _cmvn_stats() -> dict[str, Any]:
    paddlespeech_modules()
    from paddlespeech.audio.transform.spectrogram import LogMelSpectrogramKaldi

    fbank = LogMelSpectrogramKaldi(**{k: v for k, v in FBANK.items() if k != "type"})
    pcm = np.round(synthetic_audio() * 32767).astype(np.int16)
    feats = fbank(pcm, train=False)
    return {
        "mean_stat": feats.sum(axis=0).tolist(),
        "var_stat": (feats**2).sum(axis=0).tolist(),
        "frame_num": int(feats.shape[0]),
    }


def write_tree(root: Path, checkpoint: str) -> None:
    """model.yaml, data/ (vocab, cmvn) and the checkpoint at ``root/checkpoint``."""
    paddlespeech_modules()  # its offline guards must be in place before paddlespeech loads
    import paddle
    import yaml
    from paddlespeech.s2t.models.u2 import U2Model
    from yacs.config import CfgNode

    (root / "data" / "lang_char").mkdir(parents=True, exist_ok=True)
    (root / "data" / "lang_char" / "vocab.txt").write_text("\n".join(VOCAB) + "\n", "utf-8")
    (root / "data" / "mean_std.json").write_text(json.dumps(_cmvn_stats()), "utf-8")
    relative = config("data/lang_char/vocab.txt", "data/mean_std.json")
    (root / "model.yaml").write_text(yaml.safe_dump(relative, allow_unicode=True), "utf-8")
    paddle.seed(1234)
    absolute = config(str(root / "data/lang_char/vocab.txt"), str(root / "data/mean_std.json"))
    model = U2Model.from_config(CfgNode(absolute))
    target = root / checkpoint
    target.parent.mkdir(parents=True, exist_ok=True)
    paddle.save(model.state_dict(), str(target))


def build_model_dir(model_dir: Path, name: str = "tiny-conformer") -> Path:
    """An installed-layout model directory (what ``install_model`` produces)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    write_tree(model_dir, "model.pdparams")
    write_manifest(model_dir, ModelManifest(name=name, model_type="conformer_tiny"))
    return model_dir


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def build_archive(directory: Path, name: str = "tiny_conformer.model.tar.gz") -> Path:
    """A .tar.gz laid out like PaddleSpeech's released ones (checkpoint under exp/)."""
    tree = directory / "tree"
    write_tree(tree, "exp/conformer/checkpoints/avg_1.pdparams")
    archive = directory / name
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(tree.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(tree)), recursive=False)
    return archive


def add_member(tar: tarfile.TarFile, name: str, data: bytes = b"x", **info: Any) -> None:
    """Add a crafted member (for unsafe-archive tests)."""
    member = tarfile.TarInfo(name)
    member.size = len(data) if info.get("type", tarfile.REGTYPE) == tarfile.REGTYPE else 0
    for key, value in info.items():
        setattr(member, key, value)
    tar.addfile(member, io.BytesIO(data) if member.size else None)
