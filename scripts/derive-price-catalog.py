#!/usr/bin/env python3
"""Derive TokenTally's price catalog (shared/TokenTally.Core/Pricing/catalog.json).

Prices come from the reference tables in ../shared/reference/pricing (LiteLLM's model cost
map, USD per token). This script selects the entries we price, converts them to USD per 1M
tokens and writes our own catalog format. Everything the reference does not hold (canonical
ids, aliases, effective dates, the verified historical price changes, notes) is data in this
file, so the catalog can be regenerated and reviewed.

Usage: scripts/derive-price-catalog.py [--reference DIR] [--out FILE] [--check]
  --check  fail (exit 1) if the committed catalog differs from what this script would write.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

CATALOG_VERSION = "2026-07-18"  # the LiteLLM snapshot the prices were taken from
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "pricing"  # ../shared beside the repository
DEFAULT_OUT = ROOT / "shared/TokenTally.Core/Pricing/catalog.json"

PROVIDERS = [
    {"id": "openai", "aliases": ["openai", "open-ai"]},
    {"id": "azure-openai", "aliases": ["azure", "azure-openai", "azure_openai", "azureopenai"]},
    {"id": "anthropic", "aliases": ["anthropic", "claude"]},
    {"id": "google", "aliases": ["google", "gemini", "google-gemini", "google_ai_studio", "googleai", "vertex", "vertex_ai", "vertexai", "google-vertex"]},
    {"id": "mistral", "aliases": ["mistral", "mistralai", "mistral-ai", "mistral_ai"]},
    {"id": "meta", "aliases": ["meta", "meta-llama", "meta_llama", "llama"]},
    {"id": "cohere", "aliases": ["cohere"]},
]

# Documented batch discounts for providers whose reference entries carry no *_batches fields.
ANTHROPIC_BATCH = {"multiplier": 0.5}  # Message Batches API: 50% of every token class
GEMINI_BATCH = {"multiplier": 0.5}  # Gemini API batch mode: 50% of the standard price

O3_CUT = "OpenAI cut o3 by 80% on 2025-06-10 (launch price 10 / 2.50 cached / 40 since 2025-04-16), announced with o3-pro; see awesomeagents.ai/models/o3 and aiwiki.ai/wiki/o3-pro."
GPT4O_MOVE = ("Until 2024-10-02 the gpt-4o alias served gpt-4o-2024-05-13 (5 / 15); on 2024-10-02 OpenAI pointed it at "
              "gpt-4o-2024-08-06 (2.50 / 1.25 cached / 10). Evidence: OpenAI's e-mail quoted in ogkalu2/comic-translate#138 "
              "('On Wednesday, October 2nd, the default version of GPT-4o will be updated to ... gpt-4o-2024-08-06'), "
              "enricoros/big-AGI#665, BerriAI/litellm#6714.")
MISTRAL_LARGE_MOVE = ("mistral-large-latest served Mistral Large 24.11 (mistral-large-2411, 2 / 6) until Mistral Large 3 "
                      "(mistral-large-2512, 0.50 / 1.50) shipped on 2025-12-02 (hokai.io/hub/models/mistral-large-3, "
                      "frankx.ai/blog/mistral-large-3-analysis-2026).")
FLASH_PREVIEW = ("Gemini 2.5 Flash preview (2025-04-17) billed thinking output apart: 0.15 input, 0.60 non-thinking output, "
                 "3.50 thinking output (ai-rockstars.com, Gemini 2.5 Flash launch coverage). The reference no longer lists it; "
                 "prices are hand-entered. Its cache price is not verified, so cached tokens fall back to the input price.")


def llm(id, provider, operation="chat", aliases=(), periods=(), source=None, note=None):
    return {"id": id, "provider": provider, "operation": operation, "aliases": list(aliases),
            "source": source, "note": note, "periods": list(periods)}


def period(effective_from, sheet, deployments=None, note=None):
    return {"effectiveFrom": effective_from, "sheet": sheet, "deployments": deployments or {}, "note": note}


def ref(key, *, service=("batch", "flex", "priority"), extra=None, batch=None):
    """A price sheet taken from one LiteLLM entry."""
    return {"ref": key, "service": service, "extra": extra or {}, "batch": batch}


def hand(prices, *, service_tiers=None):
    """A hand-entered price sheet (USD per 1M tokens)."""
    return {"hand": prices, "serviceTiers": service_tiers or {}}


def oa(id, key, effective_from, aliases=(), service=("batch", "flex", "priority"), operation="chat", note=None):
    return llm(id, "openai", operation, aliases, [period(effective_from, ref(key, service=service))], f"litellm:{key}", note)


def az(id, global_key, effective_from, data_zone=None, regional=None, aliases=(), operation="chat", note=None, global_extra=None):
    deployments = {}
    sources = [global_key]
    if data_zone:
        deployments["dataZone"] = ref(data_zone)
        sources.append(data_zone)
    if regional:
        deployments["regional"] = ref(regional)
        sources.append(regional)
    default_note = ("Global standard prices are the period's own prices. " +
                    ("" if data_zone else "The reference has no data-zone row: data-zone calls fall back to global. ") +
                    ("" if regional else "The reference has no regional row: regional calls fall back to global."))
    return llm(id, "azure-openai", operation, aliases,
               [period(effective_from, ref(global_key, extra=global_extra or {}), deployments)],
               "litellm:" + ", litellm:".join(sources), (note + " " if note else "") + default_note.strip())


def an(id, key, effective_from, aliases=(), note=None):
    return llm(id, "anthropic", "chat", aliases, [period(effective_from, ref(key, batch=ANTHROPIC_BATCH))],
               f"litellm:{key}; batch 50% per Anthropic's Message Batches pricing", note)


def an_langfuse(id, prices, effective_from, aliases=(), note=None, source=None):
    return llm(id, "anthropic", "chat", aliases,
               [period(effective_from, hand(prices, service_tiers={"batch": ANTHROPIC_BATCH}))], source, note)


def gg(id, key, effective_from, aliases=(), operation="chat", note=None, service=("batch", "flex", "priority"), batch=GEMINI_BATCH):
    return llm(id, "google", operation, aliases, [period(effective_from, ref(key, service=service, batch=batch))],
               f"litellm:{key}", note)


def mi(id, key, effective_from, aliases=(), operation="chat", note=None):
    # Mistral's embedding entries carry no output price; embeddings bill no output tokens.
    extra = {"output": "0"} if operation == "embedding" else None
    return llm(id, "mistral", operation, aliases, [period(effective_from, ref(key, extra=extra))], f"litellm:{key}", note)


def me(id, key, effective_from, aliases=(), note=None):
    return llm(id, "meta", "chat", aliases, [period(effective_from, ref(key))],
               f"litellm:{key} (Amazon Bedrock on-demand, the one documented source used for Meta models)", note)


MONTH_ONLY = "Mistral's version id gives only the month; the first of that month is used as the effective date."

MODELS = [
    # ---------------------------------------------------------------- OpenAI
    llm("gpt-4o", "openai", "chat", ["gpt-4o-2024-11-20"], [
        period("2024-05-13", ref("gpt-4o-2024-05-13", service=("batch",)),
               note="The alias served gpt-4o-2024-05-13 until 2024-10-02."),
        period("2024-10-02", ref("gpt-4o"), note="The alias moved to gpt-4o-2024-08-06."),
    ], "litellm:gpt-4o-2024-05-13 (first period), litellm:gpt-4o", GPT4O_MOVE),
    oa("gpt-4o-2024-05-13", "gpt-4o-2024-05-13", "2024-05-13",
       note="Pinned launch snapshot; kept apart so it never inherits the alias's later, lower price."),
    oa("gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "2024-08-06",
       note="Pinned snapshot; priced 2.50 / 10 from its release, before the gpt-4o alias moved to it."),
    oa("gpt-4o-mini", "gpt-4o-mini", "2024-07-18", ["gpt-4o-mini-2024-07-18"]),
    oa("gpt-4.1", "gpt-4.1", "2025-04-14", ["gpt-4.1-2025-04-14"]),
    oa("gpt-4.1-mini", "gpt-4.1-mini", "2025-04-14", ["gpt-4.1-mini-2025-04-14"]),
    oa("gpt-4.1-nano", "gpt-4.1-nano", "2025-04-14", ["gpt-4.1-nano-2025-04-14"]),
    oa("o1", "o1", "2024-12-17", ["o1-2024-12-17"]),
    llm("o3", "openai", "chat", ["o3-2025-04-16"], [
        period("2025-04-16", hand({"input": 10, "cachedInput": 2.5, "output": 40}),
               note="Launch price, hand-entered (the reference holds only the current price)."),
        period("2025-06-10", ref("o3"), note="80% price cut."),
    ], "hand (first period), litellm:o3", O3_CUT),
    oa("o3-mini", "o3-mini", "2025-01-31", ["o3-mini-2025-01-31"]),
    oa("o4-mini", "o4-mini", "2025-04-16", ["o4-mini-2025-04-16"]),
    oa("gpt-5", "gpt-5", "2025-08-07", ["gpt-5-2025-08-07"]),
    oa("gpt-5-mini", "gpt-5-mini", "2025-08-07", ["gpt-5-mini-2025-08-07"]),
    oa("gpt-5-nano", "gpt-5-nano", "2025-08-07", ["gpt-5-nano-2025-08-07"], service=("batch", "flex"),
       note="No priority price: the reference lists only a priority input price for gpt-5-nano and Langfuse lists none."),
    oa("gpt-5-pro", "gpt-5-pro", "2025-10-06", ["gpt-5-pro-2025-10-06"]),
    oa("gpt-5.1", "gpt-5.1", "2025-11-13", ["gpt-5.1-2025-11-13"]),
    oa("gpt-5.2", "gpt-5.2", "2025-12-11", ["gpt-5.2-2025-12-11"]),
    oa("gpt-5.4", "gpt-5.4", "2026-03-05", ["gpt-5.4-2026-03-05"]),
    oa("gpt-5.4-mini", "gpt-5.4-mini", "2026-03-17", ["gpt-5.4-mini-2026-03-17"]),
    oa("gpt-5.4-nano", "gpt-5.4-nano", "2026-03-17", ["gpt-5.4-nano-2026-03-17"]),
    oa("gpt-5.5", "gpt-5.5", "2026-04-23", ["gpt-5.5-2026-04-23"]),
    oa("text-embedding-3-small", "text-embedding-3-small", "2024-01-25", operation="embedding"),
    oa("text-embedding-3-large", "text-embedding-3-large", "2024-01-25", operation="embedding"),
    oa("text-embedding-ada-002", "text-embedding-ada-002-v2", "2022-12-15", ["text-embedding-ada-002-v2"], operation="embedding",
       note="The API reports the model as text-embedding-ada-002-v2."),

    # ---------------------------------------------------------------- Azure OpenAI
    az("gpt-4o", "azure/global/gpt-4o-2024-08-06", "2024-08-06", "azure/us/gpt-4o-2024-08-06", "azure/gpt-4o-2024-11-20",
       ["gpt-4o-2024-08-06", "gpt-4o-2024-11-20"],
       note="Regional prices from the bare azure/gpt-4o-2024-11-20 entry (2.75 / 11), the +10% Azure charges outside global routing."),
    az("gpt-4o-2024-05-13", "azure/gpt-4o-2024-05-13", "2024-05-13",
       note="Launch snapshot, kept apart so it never resolves to the cheaper gpt-4o row."),
    az("gpt-4o-mini", "azure/global-standard/gpt-4o-mini", "2024-07-18", "azure/us/gpt-4o-mini-2024-07-18", "azure/gpt-4o-mini",
       ["gpt-4o-mini-2024-07-18"], global_extra={"cachedInput": "0.075"},
       note="The global-standard entry lacks a cache price; 0.075 is taken from azure/gpt-4o-mini and OpenAI's own price."),
    az("gpt-4.1", "azure/gpt-4.1", "2025-04-14", "azure/us/gpt-4.1-2025-04-14", aliases=["gpt-4.1-2025-04-14"]),
    az("gpt-4.1-mini", "azure/gpt-4.1-mini", "2025-04-14", "azure/us/gpt-4.1-mini-2025-04-14", aliases=["gpt-4.1-mini-2025-04-14"]),
    az("gpt-4.1-nano", "azure/gpt-4.1-nano", "2025-04-14", "azure/us/gpt-4.1-nano-2025-04-14", aliases=["gpt-4.1-nano-2025-04-14"]),
    az("o1", "azure/o1", "2024-12-17", "azure/us/o1-2024-12-17", aliases=["o1-2024-12-17"]),
    az("o3", "azure/o3", "2025-06-10", "azure/us/o3-2025-04-16", aliases=["o3-2025-04-16"],
       note="Starts at OpenAI's 2025-06-10 o3 price cut: Azure's earlier price is not in the reference, so earlier calls stay unpriced rather than guessed."),
    az("o3-mini", "azure/o3-mini", "2025-01-31", "azure/us/o3-mini-2025-01-31", aliases=["o3-mini-2025-01-31"]),
    az("o4-mini", "azure/o4-mini", "2025-04-16", "azure/us/o4-mini-2025-04-16", aliases=["o4-mini-2025-04-16"]),
    az("gpt-5", "azure/gpt-5", "2025-08-07", "azure/us/gpt-5-2025-08-07", aliases=["gpt-5-2025-08-07"]),
    az("gpt-5-mini", "azure/gpt-5-mini", "2025-08-07", "azure/us/gpt-5-mini-2025-08-07", aliases=["gpt-5-mini-2025-08-07"]),
    az("gpt-5-nano", "azure/gpt-5-nano", "2025-08-07", "azure/us/gpt-5-nano-2025-08-07", aliases=["gpt-5-nano-2025-08-07"]),
    az("gpt-5.1", "azure/global/gpt-5.1", "2025-11-13", "azure/us/gpt-5.1", aliases=["gpt-5.1-2025-11-13"]),
    az("text-embedding-3-small", "azure/text-embedding-3-small", "2024-01-25", operation="embedding"),
    az("text-embedding-3-large", "azure/text-embedding-3-large", "2024-01-25", operation="embedding"),
    az("text-embedding-ada-002", "azure/text-embedding-ada-002", "2022-12-15", aliases=["text-embedding-ada-002-v2"], operation="embedding"),

    # ---------------------------------------------------------------- Anthropic
    an("claude-3-haiku", "claude-3-haiku-20240307", "2024-03-07", ["claude-3-haiku-20240307"]),
    an("claude-3-opus", "claude-3-opus-20240229", "2024-02-29", ["claude-3-opus-20240229"]),
    an_langfuse("claude-3-5-sonnet", {"input": 3, "cachedInput": 0.3, "cacheWrite": 3.75, "output": 15}, "2024-06-20",
                ["claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022", "claude-3.5-sonnet"],
                source="langfuse:claude-3-5-sonnet-20240620, langfuse:claude-3.5-sonnet-20241022 (retired; not in the LiteLLM snapshot)"),
    an_langfuse("claude-3-5-haiku", {"input": 0.8, "cachedInput": 0.08, "cacheWrite": 1, "output": 4}, "2024-10-22",
                ["claude-3-5-haiku-20241022", "claude-3.5-haiku"],
                source="langfuse:claude-3-5-haiku-20241022 (retired; not in the LiteLLM snapshot)",
                note="Launched on 2024-11-04 at 1 / 5 and cut to 0.80 / 4 about a month later (aiwiki.ai/wiki/claude_3_5_haiku); "
                     "the day of the cut is not verified, so the catalog holds only the later price."),
    an("claude-3-7-sonnet", "claude-3-7-sonnet-20250219", "2025-02-19", ["claude-3-7-sonnet-20250219", "claude-3.7-sonnet"]),
    an("claude-sonnet-4", "claude-sonnet-4-20250514", "2025-05-14", ["claude-sonnet-4-20250514", "claude-4-sonnet"],
       note="Prompts above 200k tokens (1M-context beta) bill the whole request at the long-context rates."),
    an("claude-opus-4", "claude-opus-4-20250514", "2025-05-14", ["claude-opus-4-20250514", "claude-4-opus"]),
    an("claude-opus-4-1", "claude-opus-4-1-20250805", "2025-08-05", ["claude-opus-4-1-20250805"]),
    an("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "2025-09-29", ["claude-sonnet-4-5-20250929"],
       note="Long-context tier as in the LiteLLM snapshot; Langfuse dropped it on 2026-08-04, after this catalog's reference date."),
    an("claude-haiku-4-5", "claude-haiku-4-5-20251001", "2025-10-01", ["claude-haiku-4-5-20251001"]),
    an("claude-opus-4-5", "claude-opus-4-5-20251101", "2025-11-01", ["claude-opus-4-5-20251101"]),
    an("claude-opus-4-6", "claude-opus-4-6-20260205", "2026-02-05", ["claude-opus-4-6-20260205"]),
    an("claude-sonnet-4-6", "claude-sonnet-4-6", "2026-02-17",
       note="No dated id; the effective date is one day before Langfuse added the model (2026-02-18)."),
    an("claude-opus-4-7", "claude-opus-4-7-20260416", "2026-04-16", ["claude-opus-4-7-20260416"]),
    an("claude-opus-4-8", "claude-opus-4-8", "2026-05-28",
       note="No dated id; the effective date is the day Langfuse added the model."),

    # ---------------------------------------------------------------- Google
    gg("gemini-2.0-flash", "gemini/gemini-2.0-flash", "2025-02-05"),
    gg("gemini-2.0-flash-lite", "gemini/gemini-2.0-flash-lite", "2025-02-25"),
    gg("gemini-2.5-flash", "gemini/gemini-2.5-flash", "2025-06-17",
       note="Thinking tokens are billed at the output price (the reference lists them apart at the same 2.50)."),
    gg("gemini-2.5-flash-lite", "gemini/gemini-2.5-flash-lite", "2025-07-22"),
    gg("gemini-2.5-pro", "gemini/gemini-2.5-pro", "2025-06-17", service=("batch", "flex"),
       note="The reference's priority price equals the standard price, so no priority row is kept."),
    llm("gemini-2.5-flash-preview-04-17", "google", "chat", ["gemini-2.5-flash-preview-05-20"], [
        period("2025-04-17", hand({"input": 0.15, "output": 0.6, "reasoning": 3.5}, service_tiers={"batch": GEMINI_BATCH})),
    ], "hand", FLASH_PREVIEW),
    gg("gemini-3-pro-preview", "gemini/gemini-3-pro-preview", "2025-11-18", batch=None),
    gg("gemini-3.1-pro-preview", "gemini/gemini-3.1-pro-preview", "2026-02-19", ["gemini-3.1-pro-preview-customtools"], batch=None,
       note="Effective date is the day Langfuse added the model."),
    gg("gemini-3-flash-preview", "gemini/gemini-3-flash-preview", "2025-12-17"),
    gg("gemini-embedding-001", "gemini/gemini-embedding-001", "2025-07-14", operation="embedding", batch=None),

    # ---------------------------------------------------------------- Mistral
    llm("mistral-large", "mistral", "chat", ["mistral-large-latest", "mistral-large-2512", "mistral-large-3"], [
        period("2024-11-18", ref("mistral/mistral-large-2411"), note="-latest served Mistral Large 24.11."),
        period("2025-12-02", ref("mistral/mistral-large-2512"), note="-latest moved to Mistral Large 3."),
    ], "litellm:mistral/mistral-large-2411 (first period), litellm:mistral/mistral-large-2512", MISTRAL_LARGE_MOVE),
    mi("mistral-large-2411", "mistral/mistral-large-2411", "2024-11-18",
       note="Pinned snapshot; kept apart so it never takes the Large 3 price."),
    mi("mistral-medium-3", "mistral/mistral-medium-2505", "2025-05-07",
       ["mistral-medium-2505", "mistral-medium-2508", "mistral-medium-3-1", "mistral-medium-3-1-2508"]),
    mi("mistral-medium-3-5", "mistral/mistral-medium-2604", "2026-04-01", ["mistral-medium-2604", "mistral-medium-latest"],
       note=MONTH_ONLY + " When mistral-medium-latest moved from Medium 3.1 to 3.5 is not verified, so -latest is priced as 3.5 only from then."),
    mi("mistral-small-3-2", "mistral/mistral-small-3-2-2506", "2025-06-01", ["mistral-small-2506", "mistral-small-3-2-2506", "mistral-small-latest"],
       note=MONTH_ONLY),
    mi("codestral", "mistral/codestral-2508", "2025-08-01", ["codestral-2508", "codestral-latest"],
       note=MONTH_ONLY + " The reference's codestral-latest row (1 / 3) is the retired Codestral 24.05 price; -latest now serves 25.08."),
    mi("magistral-medium", "mistral/magistral-medium-2506", "2025-06-01",
       ["magistral-medium-2506", "magistral-medium-2509", "magistral-medium-1-2-2509", "magistral-medium-latest"], note=MONTH_ONLY),
    mi("pixtral-large", "mistral/pixtral-large-2411", "2024-11-18", ["pixtral-large-2411", "pixtral-large-latest"]),
    mi("mistral-embed", "mistral/mistral-embed", "2023-12-11", operation="embedding"),
    mi("codestral-embed", "mistral/codestral-embed-2505", "2025-05-01", ["codestral-embed-2505"], operation="embedding", note=MONTH_ONLY),

    # ---------------------------------------------------------------- Meta (Llama, priced as served by Amazon Bedrock)
    me("llama-3.1-8b-instruct", "meta.llama3-1-8b-instruct-v1:0", "2024-07-23", ["meta.llama3-1-8b-instruct-v1:0", "meta-llama-3.1-8b-instruct"]),
    me("llama-3.1-70b-instruct", "meta.llama3-1-70b-instruct-v1:0", "2024-07-23", ["meta.llama3-1-70b-instruct-v1:0", "meta-llama-3.1-70b-instruct"]),
    me("llama-3.1-405b-instruct", "meta.llama3-1-405b-instruct-v1:0", "2024-07-23", ["meta.llama3-1-405b-instruct-v1:0", "meta-llama-3.1-405b-instruct"]),
    me("llama-3.2-1b-instruct", "meta.llama3-2-1b-instruct-v1:0", "2024-09-25", ["meta.llama3-2-1b-instruct-v1:0"]),
    me("llama-3.2-3b-instruct", "meta.llama3-2-3b-instruct-v1:0", "2024-09-25", ["meta.llama3-2-3b-instruct-v1:0"]),
    me("llama-3.3-70b-instruct", "meta.llama3-3-70b-instruct-v1:0", "2024-12-06", ["meta.llama3-3-70b-instruct-v1:0"]),
    me("llama-4-scout-17b-16e-instruct", "meta.llama4-scout-17b-instruct-v1:0", "2025-04-05",
       ["meta.llama4-scout-17b-instruct-v1:0", "llama-4-scout"]),
    me("llama-4-maverick-17b-128e-instruct", "meta.llama4-maverick-17b-instruct-v1:0", "2025-04-05",
       ["meta.llama4-maverick-17b-instruct-v1:0", "llama-4-maverick", "llama-4-maverick-17b-128e-instruct-fp8"]),

    # ---------------------------------------------------------------- Cohere (embeddings)
    llm("embed-english-v3.0", "cohere", "embedding", [], [period("2023-11-02", ref("embed-english-v3.0"))], "litellm:embed-english-v3.0"),
    llm("embed-multilingual-v3.0", "cohere", "embedding", [], [period("2023-11-02", ref("embed-multilingual-v3.0"))], "litellm:embed-multilingual-v3.0"),
    llm("embed-v4.0", "cohere", "embedding", [], [period("2025-04-15", ref("cohere/embed-v4.0"))], "litellm:cohere/embed-v4.0"),
]

CLASS_FIELDS = {
    "input": "input_cost_per_token",
    "cachedInput": "cache_read_input_token_cost",
    "cacheWrite": "cache_creation_input_token_cost",
    "output": "output_cost_per_token",
}


def per_million(value) -> Decimal:
    """USD per token (float) → USD per 1M tokens, exact to 1e-6 (removes float noise such as 0.19999999999999998)."""
    return (Decimal(repr(value)) * 1_000_000).quantize(Decimal("0.000001")).normalize()


def price_block(entry: dict, suffix: str = "") -> dict:
    block = {}
    for name, field in CLASS_FIELDS.items():
        if field + suffix in entry:
            block[name] = per_million(entry[field + suffix])
    if not suffix and "output_cost_per_reasoning_token" in entry:
        reasoning = per_million(entry["output_cost_per_reasoning_token"])
        if reasoning != block.get("output"):
            block["reasoning"] = reasoning
    return block


ORDER = ("input", "cachedInput", "cacheWrite", "output", "reasoning")


def ordered(block: dict) -> dict:
    return {k: block[k] for k in ORDER if k in block}


def complete(block: dict) -> bool:
    return "input" in block and "output" in block


def sheet_from_ref(reference: dict, spec: dict, key_for_errors: str) -> dict:
    key = spec["ref"]
    if key not in reference:
        sys.exit(f"{key_for_errors}: reference has no entry '{key}'")
    entry = reference[key]
    prices = price_block(entry)
    for name, value in spec["extra"].items():
        prices[name] = Decimal(value)
    if not complete(prices):
        sys.exit(f"{key_for_errors}: entry '{key}' lacks input or output prices")
    sheet = {"prices": ordered(prices)}

    thresholds = sorted({int(m.group(1)) for f in entry for m in [re.fullmatch(r"input_cost_per_token_above_(\d+)k_tokens", f)] if m})
    tiers = []
    for k in thresholds:
        tier_prices = price_block(entry, f"_above_{k}k_tokens")
        if not complete(tier_prices):
            sys.exit(f"{key_for_errors}: entry '{key}' has an incomplete >{k}k tier")
        tier = {"aboveInputTokens": k * 1000, "prices": tier_prices}
        tier_priority = price_block(entry, f"_above_{k}k_tokens_priority")
        if "priority" in spec["service"] and complete(tier_priority):
            tier["serviceTiers"] = {"priority": tier_priority}
        tiers.append(tier)
    if tiers:
        sheet["contextTiers"] = tiers

    service = {}
    for tier_name, suffix in (("batch", "_batches"), ("flex", "_flex"), ("priority", "_priority")):
        if tier_name not in spec["service"]:
            continue
        block = price_block(entry, suffix)
        if not block:
            continue
        if not complete(block):
            sys.exit(f"{key_for_errors}: entry '{key}' has an incomplete {tier_name} price {block}")
        # LiteLLM never lists a batch cache price: keep the standard cache prices rather than invent a discount.
        for cls in ("cachedInput", "cacheWrite"):
            if cls in prices and cls not in block:
                block[cls] = prices[cls]
        service[tier_name] = ordered(block)
    if spec["batch"] and "batch" not in service:
        service["batch"] = spec["batch"]
    if service:
        sheet["serviceTiers"] = service
    return sheet


def sheet_from_hand(spec: dict) -> dict:
    sheet = {"prices": {k: Decimal(str(v)) for k, v in spec["hand"].items()}}
    if spec["serviceTiers"]:
        sheet["serviceTiers"] = spec["serviceTiers"]
    return sheet


def build(reference: dict) -> dict:
    models = []
    for m in MODELS:
        where = f"{m['provider']}/{m['id']}"
        periods = []
        for p in m["periods"]:
            spec = p["sheet"]
            sheet = sheet_from_ref(reference, spec, where) if "ref" in spec else sheet_from_hand(spec)
            out = {"effectiveFrom": p["effectiveFrom"]}
            if p["note"]:
                out["note"] = p["note"]
            out.update(sheet)
            if p["deployments"]:
                out["deployments"] = {name: sheet_from_ref(reference, d, where) for name, d in p["deployments"].items()}
            periods.append(out)
        model = {"id": m["id"], "provider": m["provider"], "operation": m["operation"], "aliases": m["aliases"],
                 "source": m["source"]}
        if m["note"]:
            model["note"] = m["note"]
        model["periods"] = periods
        models.append(model)
    return {
        "version": CATALOG_VERSION,
        "currency": "USD",
        "unit": "USD per 1M tokens",
        "note": ("Derived by scripts/derive-price-catalog.py from LiteLLM's model cost map (snapshot of about 2026-07-18) and "
                 "Langfuse's default model prices, plus hand-entered history. A model's first effectiveFrom is its release or "
                 "snapshot date; the dated price changes inside a model are documented in its note with their evidence. "
                 "An absent cachedInput or cacheWrite price means the input price; an absent reasoning price means the output price."),
        "providers": PROVIDERS,
        "models": models,
    }


def render(value, indent=0) -> str:
    """JSON with one model field per line but each price block on a single line, for reviewable diffs."""
    pad = "  " * indent
    if isinstance(value, dict):
        if value and all(isinstance(v, (Decimal, int, float)) for v in value.values()):
            return "{ " + ", ".join(f"{json.dumps(k)}: {render(v)}" for k, v in value.items()) + " }"
        if not value:
            return "{}"
        items = [f"{pad}  {json.dumps(k)}: {render(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return json.dumps(value, ensure_ascii=False)
        items = [f"{pad}  {render(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text
    return json.dumps(value, ensure_ascii=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    reference = json.loads((args.reference / "litellm_model_prices.json").read_text(encoding="utf-8"))
    text = render(build(reference)) + "\n"
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(MODELS)} models, version {CATALOG_VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
