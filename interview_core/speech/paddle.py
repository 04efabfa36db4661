"""PaddleSpeech recogniser: a local U2 (conformer/transformer) model, loaded once per process.

It drives PaddleSpeech's ``ASRExecutor`` below its ``__call__``: ``_init_from_path`` once
with the model directory's config and checkpoint (so nothing is ever downloaded), then
``preprocess`` / ``infer`` / ``postprocess`` per segment on an in-memory WAV. paddle and
paddlespeech are imported on first load, never when ``interview_core`` is imported.

paddlespeech 1.5.0 does things an offline worker must not; the first load stops them:

- usage statistics: ``ASRExecutor.__call__`` is wrapped in ``stats_wrapper``, which starts a
  ``StatsWorker`` thread that sends an HTTP GET to paddlepaddle.org.cn. ``__call__`` is never
  used here, and ``cli.utils._note_one_stat`` and ``StatsWorker.start`` are replaced by
  no-ops, so no other caller in the process pings either;
- runtime pip: importing ``s2t.modules.ctc`` without ``paddlespeech_ctcdecoders`` runs
  ``pip install`` inside the process; ``dynamic_pip_install.install`` now raises ImportError
  first (conformer models decode without those decoders);
- log files: ``s2t.utils.log`` adds a loguru DEBUG file sink under ``./exp/log/`` of the
  current directory on import; that sink is dropped and its console sink keeps warnings only.

Failures: loading raises :class:`~interview_core.errors.ModelUnavailable`. While
transcribing, a segment the model fails on gets an empty text and an ``error`` and the
others go on; only when no segment could be decoded is the transcript unavailable.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import math
import os
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from interview_core.errors import ModelUnavailable
from interview_core.speech.models import (
    CHECKPOINT,
    CONFIG,
    SUPPORTED_MODEL_TYPES,
    is_model_dir,
    read_manifest,
)
from interview_core.speech.port import Transcript, TranscriptSegment
from recruiting.domain.assessment_reasons import NoTranscript
from recruiting.errors import InvalidInput

if TYPE_CHECKING:
    from interview_core.speech.port import Pcm
    from interview_core.speech.segments import Segment

log = logging.getLogger(__name__)

DECODE_METHODS = ("attention_rescoring", "ctc_greedy_search", "ctc_prefix_beam_search", "attention")
MAX_CHUNK_SECONDS = 30.0
TOO_SHORT = "too short to decode"
DECODING_FAILED = "decoding failed"
UNKNOWN_UNIT = "<unk>"  # a vocabulary marker, not something the speaker said
_import_lock = threading.Lock()
_modules: dict[str, Any] = {}
_cache_lock = threading.Lock()
_cache: dict[tuple[str, str, str], PaddleSpeechRecognizer] = {}


# -- importing paddlespeech, offline and quiet ---------------------------------------------


def _refuse_pip_install(package_name: str) -> None:
    raise ImportError(f"{package_name} is not installed (runtime pip install is disabled)")


def _no_usage_stats(*args: Any, **kwargs: Any) -> None:
    return None


@contextlib.contextmanager
def _no_stray_log_files() -> Iterator[None]:
    """While paddlespeech is imported: no loguru file sinks, console sinks warnings only."""
    logger_class = importlib.import_module("loguru._logger").Logger
    original = logger_class.add

    def add(self: Any, sink: Any, *args: Any, **kwargs: Any) -> int:
        if isinstance(sink, str | os.PathLike):
            return -1
        kwargs["level"] = "WARNING"
        return int(original(self, sink, *args, **kwargs))

    logger_class.add = add
    try:
        yield
    finally:
        logger_class.add = original


def paddlespeech_modules() -> dict[str, Any]:
    """paddle, soundfile and ASRExecutor, imported once with the guards above in place.

    Whatever else in the process uses paddlespeech should call this first: the guards only
    work if they are set before paddlespeech's own modules are imported.
    """
    with _import_lock:
        if _modules:
            return _modules
        try:
            with warnings.catch_warnings(), _no_stray_log_files():
                warnings.simplefilter("ignore")
                pip: Any = importlib.import_module("paddlespeech.s2t.utils.dynamic_pip_install")
                pip.install = _refuse_pip_install
                cli_utils: Any = importlib.import_module("paddlespeech.cli.utils")
                cli_utils._note_one_stat = _no_usage_stats
                cli_utils.StatsWorker.start = _no_usage_stats
                asr = importlib.import_module("paddlespeech.cli.asr.infer")
                _modules.update(
                    paddle=importlib.import_module("paddle"),
                    soundfile=importlib.import_module("soundfile"),
                    ASRExecutor=asr.ASRExecutor,
                )
        except Exception as exc:
            raise ModelUnavailable(
                f"paddlespeech cannot be imported: {type(exc).__name__}: {exc}"
            ) from exc
        return _modules


# -- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedModel:
    """An initialised executor and what decoding needs to know about its model."""

    executor: Any
    model_type: str
    sample_rate: int
    min_samples: int
    max_samples: int


def load_executor(
    model_dir: Path, *, device: str = "cpu", decode_method: str = "attention_rescoring"
) -> LoadedModel:
    """Load a model directory into a new executor (uncached; see ``from_model_dir``)."""
    if not is_model_dir(model_dir):
        raise ModelUnavailable(
            f"model failed to load: {model_dir} is not a model directory "
            f"(needs manifest.json, {CONFIG} and {CHECKPOINT})"
        )
    if decode_method not in DECODE_METHODS:
        raise ModelUnavailable(f"model failed to load: unknown decode method {decode_method!r}")
    manifest = read_manifest(model_dir)
    if manifest.model_type.rpartition("_")[0] not in SUPPORTED_MODEL_TYPES:
        raise ModelUnavailable(
            f"model failed to load: model type {manifest.model_type!r} is not a U2 model"
        )
    modules = paddlespeech_modules()
    try:
        return _load(modules, model_dir, manifest.model_type, device, decode_method)
    except Exception as exc:
        raise ModelUnavailable(
            f"model failed to load from {model_dir}: {type(exc).__name__}: {exc}"
        ) from exc


def _load(
    modules: dict[str, Any], model_dir: Path, model_type: str, device: str, decode_method: str
) -> LoadedModel:
    modules["paddle"].set_device(device)
    executor = modules["ASRExecutor"]()
    checkpoint = str((model_dir / CHECKPOINT).resolve()).removesuffix(".pdparams")
    with tempfile.TemporaryDirectory(prefix="asr-config-") as tmp:
        config = Path(tmp) / CONFIG
        config.write_text(_resolved_config(model_dir), encoding="utf-8")
        executor._init_from_path(
            model_type=model_type,
            cfg_path=str(config),
            decode_method=decode_method,
            ckpt_path=checkpoint,
        )
    fbank = executor.config.preprocess_config.process[0]
    rate, shift, window = int(fbank["fs"]), int(fbank["n_shift"]), int(fbank["win_length"])
    min_frames = int(executor.model.encoder.embed.right_context) + 1
    return LoadedModel(
        executor=executor,
        model_type=model_type,
        sample_rate=rate,
        min_samples=window + (min_frames - 1) * shift,
        max_samples=int(min(float(executor.max_len), MAX_CHUNK_SECONDS) * rate),
    )


def _resolved_config(model_dir: Path) -> str:
    """model.yaml with every relative file it names made absolute (and preprocess inlined).

    PaddleSpeech resolves these against the current directory; a worker's current directory
    is not the model's.
    """
    yaml = importlib.import_module("yaml")
    root = model_dir.resolve()
    config = yaml.safe_load((model_dir / CONFIG).read_text(encoding="utf-8"))

    def local(value: Any) -> Any:
        if isinstance(value, str) and value and not os.path.isabs(value):
            path = root / value
            if not path.exists() and not path.with_suffix(".model").exists():
                raise FileNotFoundError(f"{CONFIG} refers to {value}, missing in {root}")
            return str(path)
        return value

    for key in ("vocab_filepath", "cmvn_file", "spm_model_prefix"):
        if key in config:
            config[key] = local(config[key])
    if isinstance(config.get("preprocess_config"), str):
        preprocess = local(config["preprocess_config"])
        config["preprocess_config"] = yaml.safe_load(Path(preprocess).read_text(encoding="utf-8"))
    for step in (config.get("preprocess_config") or {}).get("process", []):
        if "cmvn_path" in step:
            step["cmvn_path"] = local(step["cmvn_path"])
    return str(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))


# -- the recogniser ------------------------------------------------------------------------


class PaddleSpeechRecognizer:
    """A :class:`~interview_core.speech.port.SpeechRecognizer` on a local PaddleSpeech model.

    Decoding is serialised per instance (the executor keeps per-call state); run one worker
    process per core to use several.
    """

    def __init__(self, name: str, model: LoadedModel) -> None:
        self.name = name
        self._model = model
        self._lock = threading.Lock()

    @classmethod
    def from_model_dir(
        cls,
        path: str | os.PathLike[str],
        *,
        device: str = "cpu",
        decode_method: str = "attention_rescoring",
    ) -> PaddleSpeechRecognizer:
        """The recogniser for a model directory, loaded on the first call in this process."""
        model_dir = Path(path).resolve()
        key = (str(model_dir), device, decode_method)
        with _cache_lock:
            if key not in _cache:
                model = load_executor(model_dir, device=device, decode_method=decode_method)
                name = f"paddlespeech:{read_manifest(model_dir).name}"
                _cache[key] = cls(name, model)
            return _cache[key]

    @staticmethod
    def clear_cache() -> None:
        """Forget loaded models (tests, or after replacing a model in a long-lived process)."""
        with _cache_lock:
            _cache.clear()

    @property
    def sample_rate(self) -> int:
        return self._model.sample_rate

    def transcribe(self, pcm: Pcm, sample_rate: int, segments: Sequence[Segment]) -> Transcript:
        audio = self._int16_at_model_rate(pcm, sample_rate)
        results = [self._segment(audio, s) for s in segments]
        failed = [r for r in results if r.error.startswith(DECODING_FAILED)]
        if failed and not any(r.text or not r.error for r in results):
            reason = f"the model failed on every segment: {failed[0].error}"
            log.warning("speech recognition failed (%s): %s", self.name, reason)
            return Transcript(
                available=False,
                engine=self.name,
                segments=results,
                reason=reason,
                code=NoTranscript.MODEL_FAILED,
            )
        return Transcript(available=True, engine=self.name, segments=results)

    def _int16_at_model_rate(self, pcm: Pcm, sample_rate: int) -> npt.NDArray[np.int16]:
        audio = np.asarray(pcm, dtype=np.float32)
        if audio.ndim != 1 or sample_rate <= 0:
            raise InvalidInput(
                f"speech needs mono PCM and a sample rate; got shape {audio.shape} "
                f"at {sample_rate} Hz"
            )
        rate = self._model.sample_rate
        if sample_rate != rate:
            signal = importlib.import_module("scipy.signal")
            common = math.gcd(sample_rate, rate)
            audio = np.asarray(signal.resample_poly(audio, rate // common, sample_rate // common))
        return np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)

    def _segment(self, audio: npt.NDArray[np.int16], segment: Segment) -> TranscriptSegment:
        rate = self._model.sample_rate
        first = max(round(segment.start * rate), 0)
        last = min(round(segment.end * rate), len(audio))
        if last - first < self._model.min_samples:
            shortest = self._model.min_samples / rate
            error = f"{TOO_SHORT} ({max(last - first, 0) / rate:.3f} s < {shortest:.3f} s)"
            return TranscriptSegment(segment.start, segment.end, "", error=error)
        pieces = math.ceil((last - first) / self._model.max_samples)
        try:
            texts = [self._decode(p) for p in np.array_split(audio[first:last], pieces)]
        except Exception as exc:
            log.warning("speech: segment %.2f-%.2f s failed: %r", segment.start, segment.end, exc)
            error = f"{DECODING_FAILED}: {type(exc).__name__}: {exc}"
            return TranscriptSegment(segment.start, segment.end, "", error=error)
        return TranscriptSegment(segment.start, segment.end, "".join(texts))

    def _decode(self, samples: npt.NDArray[np.int16]) -> str:
        wav = io.BytesIO()
        paddlespeech_modules()["soundfile"].write(
            wav, samples, self._model.sample_rate, format="WAV", subtype="PCM_16"
        )
        executor, model_type = self._model.executor, self._model.model_type
        with self._lock:
            executor._inputs.clear()
            executor._outputs.clear()
            executor.change_format = False
            executor.preprocess(model_type, wav)
            executor.infer(model_type)  # logs and swallows decoder errors: check the output
            if "result" not in executor._outputs:
                raise RuntimeError("the model returned no result (see the PaddleSpeech log)")
            text = str(executor.postprocess())
        return text.replace(UNKNOWN_UNIT, "").strip()

    def __repr__(self) -> str:
        return f"PaddleSpeechRecognizer({self.name!r})"
