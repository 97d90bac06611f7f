#!/usr/bin/env python3
"""Generate a synthetic but valid explainer project of a given size, for the build benchmark.

Everything the real content has is here, at scale: sources with archived texts in seeds/, facts
whose quotes really occur in those texts (written with straight quotes and hyphens where the
archive has typographic ones, so the normalisation is exercised), timeline events, summaries
citing facts, comparisons and a glossary. Every fact and source is used, so the build is clean
(no warnings). The output is deterministic for a given size and seed.

    python bench/generate.py DEST --facts 10000 [--seed 0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FACTS_PER_SOURCE = 50
SENTENCES_PER_SOURCE = 90
TOPICS = ["offensive", "captures", "exchanges", "priorities", "treatment", "talks", "unknowns",
          "casualties", "diplomacy", "courts", "returns", "families"]
ATTRIBUTIONS = ["Ukraine's General Staff", "the SBU", "the article", "Russia's Defence Ministry",
                "the Human Rights Ombudsman", "the Coordination Headquarters", "a regional governor",
                "the UN monitoring mission"]
SERIES = ["prisoners-captured", "swap-size"]
NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}
_SYLLABLES = ["ka", "ro", "mi", "ne", "su", "ta", "vo", "li", "pe", "da", "sho", "zu", "bar", "ten",
              "kor", "val", "min", "dre", "sky", "lo", "gan", "pri", "stel", "mun"]


def words(rng: random.Random, count: int = 400) -> list[str]:
    """A deterministic made-up vocabulary, so texts look like prose but mean nothing."""
    vocab: set[str] = set()
    while len(vocab) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))
        if word not in NUMBER_WORDS:  # "ten" in a claim would be a number its quotes must hold
            vocab.add(word)
    return sorted(vocab)


class Writer:
    """Builds the content of one synthetic project; ``write`` puts it on disk."""

    def __init__(self, facts: int, seed: int = 0):
        self.rng = random.Random(seed)
        self.vocab = words(self.rng)
        self.n_facts = facts
        self.n_sources = max(2, facts // FACTS_PER_SOURCE)
        self.files: dict[str, str] = {}

    # --- text -----------------------------------------------------------------------------------
    def sentence(self, low: int = 8, high: int = 22, typographic: bool = False, numbers: bool = True) -> str:
        """Made-up prose; ``numbers=False`` for claims, whose numbers would have to be in their quotes."""
        rng = self.rng
        ws = [rng.choice(self.vocab) for _ in range(rng.randint(low, high))]
        ws[0] = ws[0].capitalize()
        if typographic and len(ws) > 6:  # what newsroom CMSs emit; quotes are typed plainly
            i = rng.randint(1, len(ws) - 3)
            ws[i] = rng.choice([f"{ws[i]}\u2019s", f"\u201c{ws[i]}\u201d", f"{ws[i]} \u2014"])
        if rng.random() < 0.3:
            at, number = rng.randint(1, len(ws) - 1), str(rng.randint(2, 5000))  # drawn either way: same stream
            if numbers:
                ws.insert(at, number)
        return " ".join(ws) + "."

    @staticmethod
    def plain(text: str) -> str:
        """How an editor types a quote: straight quotes and hyphens."""
        return (text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
                .replace("\u2014", "-"))

    def date(self, i: int) -> tuple[str, int]:
        """A date that grows with the fact's position (files are appended to), at mixed precision."""
        span_days = 365 * 4
        day = min(span_days - 1, max(0, int(i / max(1, self.n_facts) * span_days) + self.rng.randint(-40, 40)))
        year, rest = 2022 + day // 365, day % 365
        month, dom = 1 + rest // 31 % 12, 1 + rest % 28
        roll = self.rng.random()
        if roll < 0.1:
            return f"{year}", year
        if roll < 0.4:
            return f"{year}-{month:02d}", year
        return f"{year}-{month:02d}-{dom:02d}", year

    # --- files ----------------------------------------------------------------------------------
    def build(self) -> dict[str, str]:
        sources = self.sources()
        fact_ids = self.facts(sources)
        self.timeline(fact_ids)
        self.comparisons(fact_ids)
        self.glossary(fact_ids)
        self.summaries(fact_ids)
        self.site()
        return self.files

    def sources(self) -> list[list[str]]:
        """Archived texts (seeds/) and their entries; returns each source's sentences."""
        entries, texts = [], []
        for s in range(self.n_sources):
            sentences = [self.sentence(typographic=True) for _ in range(SENTENCES_PER_SOURCE)]
            texts.append(sentences)
            paragraphs = ["\n".join(sentences[p:p + 5]) for p in range(0, len(sentences), 5)]
            text = self.files[f"seeds/src-{s:05d}.txt"] = f"{self.sentence(4, 9)}\n\n" + "\n\n".join(paragraphs) + "\n"
            url = json.dumps(f"https://news.example.org/{2022 + s % 4}/story-{s}") if s % 3 else "null"
            author = json.dumps(" ".join(w.capitalize() for w in self.rng.sample(self.vocab, 2))) if s % 4 else "null"
            publisher = "The " + self.rng.choice(self.vocab).capitalize() + " Post"
            entries.append(
                f"- id: source-{s:05d}\n"
                f"  title: {json.dumps(self.sentence(5, 10)[:-1])}\n"
                f"  publisher: {json.dumps(publisher)}\n"
                f"  author: {author}\n"
                f"  published: \"{2022 + s % 4}-{1 + s % 12:02d}-{1 + s % 28:02d}\"\n"
                f"  url: {url}\n"
                f"  retrieved: {'null' if s % 5 == 0 else json.dumps('2026-11-01')}\n"
                f"  archive: src-{s:05d}.txt\n"
                f"  label: {json.dumps('t' + publisher[1:])}\n"
                f"  sha256: {hashlib.sha256(text.encode('utf-8')).hexdigest()}\n"
                + (f"  note: {json.dumps(self.sentence())}\n" if s % 7 == 0 else "")
            )
        self.files["content/sources.yaml"] = "# Synthetic sources for the benchmark.\n\n" + "\n".join(entries)
        return texts

    def quote(self, sentences: list[str]) -> str:
        """A verbatim run of words from one of the source's sentences, typed plainly."""
        ws = self.rng.choice(sentences).split()
        start = self.rng.randint(0, max(0, len(ws) - 6))
        return self.plain(" ".join(ws[start:start + self.rng.randint(6, 16)]))

    def facts(self, texts: list[list[str]]) -> list[str]:
        ids, entries = [], []
        for i in range(self.n_facts):
            fid = f"fact-{i:06d}-{self.rng.choice(self.vocab)}"
            ids.append(fid)
            date, _year = self.date(i)
            primary = i % self.n_sources
            cites = [primary] + ([self.rng.randrange(self.n_sources)] if self.rng.random() < 0.3 else [])
            lines = [
                f"- id: {fid}",
                f"  claim: {json.dumps(self.sentence(10, 24, numbers=False))}",
                f"  attribution: {json.dumps(self.rng.choice(ATTRIBUTIONS))}",
                f"  date: \"{date}\"",
            ]
            if self.rng.random() < 0.05:
                lines.append("  approximate: true")
                lines.append(f"  date_note: {json.dumps(self.sentence())}")
            lines.append(f"  topics: [{', '.join(self.rng.sample(TOPICS, self.rng.randint(1, 2)))}]")
            lines.append("  citations:")
            for s in cites:
                lines.append(f"    - source: source-{s:05d}")
                lines.append(f"      quote: {json.dumps(self.quote(texts[s]))}")
            if self.rng.random() < 0.02:
                lines.append(f"  figure: {{series: {self.rng.choice(SERIES)}, value: {self.rng.randint(10, 1000)}, "
                             f"label: {json.dumps(self.sentence(2, 4)[:-1])}}}")
            entries.append("\n".join(lines) + "\n")
        self.files["content/facts.yaml"] = "# Synthetic facts for the benchmark.\n\n" + "\n".join(entries)
        return ids

    def timeline(self, ids: list[str]) -> None:
        """Consecutive runs of 3–12 facts make one event, so every fact is used."""
        entries, i = [], 0
        while i < len(ids):
            group = ids[i:i + self.rng.randint(3, 12)]
            date, _ = self.date(i)
            text = f"{self.sentence(8, 18)[:-1]} **{self.rng.choice(self.vocab)}**.[[{group[0]}]]"
            entries.append(
                f"- date: \"{date}\"\n"
                f"  title: {json.dumps(self.sentence(3, 7)[:-1] + f' {i}')}\n"
                f"  text: {json.dumps(text)}\n"
                f"  facts: [{', '.join(group)}]\n"
            )
            i += len(group)
        self.files["content/timeline.yaml"] = "# Synthetic events.\n\n" + "\n".join(entries)

    def comparisons(self, ids: list[str]) -> None:
        entries = []
        for c in range(min(20, max(1, len(ids) // 500))):
            pair = self.rng.sample(ids, 2)
            entries.append(
                f"- id: comparison-{c}\n"
                f"  kind: {'disagreement' if c % 2 else 'change'}\n"
                f"  title: {json.dumps(self.sentence(3, 6)[:-1])}\n"
                f"  text: {json.dumps(self.sentence() + f'[[{pair[0]}]]')}\n"
                f"  facts: [{', '.join(pair)}]\n"
            )
        self.files["content/comparisons.yaml"] = "\n".join(entries)

    def glossary(self, ids: list[str]) -> None:
        entries = []
        terms = self.rng.sample(self.vocab, min(40, max(3, len(ids) // 100)))
        for t, term in enumerate(terms):
            entries.append(
                f"- id: entry-{t}-{term}\n"
                f"  term: {json.dumps(term.capitalize())}\n"
                f"  definition: {json.dumps(self.sentence())}\n"
                f"  facts: [{self.rng.choice(ids)}]\n"
            )
        self.files["content/glossary.yaml"] = "\n".join(entries)

    def summaries(self, ids: list[str]) -> None:
        """Six sections of a fixed length: the front page's prose does not grow with the archive."""
        for n in range(1, 7):
            paragraphs = []
            for _ in range(4):
                cites = "".join(f"[[{f}]]" for f in self.rng.sample(ids, min(len(ids), 2)))
                paragraphs.append(f"{self.sentence(15, 30)} *{self.rng.choice(self.vocab)}* "
                                  f"{self.sentence(10, 20)}{cites}")
            self.files[f"content/summaries/{n:02d}-section-{n}.md"] = (
                f"---\ntitle: {json.dumps(self.sentence(3, 6)[:-1])}\norder: {n}\n---\n"
                + "\n\n".join(paragraphs) + "\n"
            )

    def site(self) -> None:
        topics = "\n".join(f"  - {{id: {t}, label: {json.dumps(t.capitalize())}}}" for t in TOPICS)
        charts = "\n".join(f"  - {{series: {s}, title: {json.dumps(s.replace('-', ' ').capitalize())}, "
                           f"description: {json.dumps(self.sentence())}}}" for s in SERIES)
        self.files["site.yaml"] = (
            f"title: Synthetic explainer with {self.n_facts} facts\n"
            "description: Generated content for the build benchmark; it means nothing.\n"
            "language: en\n"
            "base_url: https://example.org/bench/\n"
            "updated: \"2026-11-22\"\n"
            "publisher: Benchmark\n"
            f"topics:\n{topics}\n"
            f"charts:\n{charts}\n"
        )


PROJECT_PARTS = ("site.yaml", "content", "seeds", "templates", "static", "locales")


def project_to_time(dest: Path, source: Path | None, facts: int = 0, search: bool = True) -> Path:
    """A throwaway project for a benchmark in ``dest``: ``facts`` generated, else a copy of ``source``'s
    content, archives, theme files and catalogs; with ``search`` off, `search: false` in its site.yaml."""
    if facts:
        generate(dest, facts)
    else:
        assert source is not None
        dest.mkdir(parents=True)
        for name in PROJECT_PARTS:
            if (source / name).is_dir():
                shutil.copytree(source / name, dest / name)
            elif (source / name).exists():
                shutil.copy2(source / name, dest / name)
    if not search:
        site = dest / "site.yaml"
        site.write_text(site.read_text(encoding="utf-8").rstrip("\n") + "\nsearch: false\n", encoding="utf-8")
    return dest


def generate(dest: Path, facts: int, seed: int = 0, repo: Path = REPO) -> Path:
    """Write a complete project (content, seeds, the repo's templates and static files) to ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for folder in ("templates", "static"):
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, dest / folder)
    for rel, text in Writer(facts, seed).build().items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path, help="directory to create (replaced if it exists)")
    parser.add_argument("--facts", type=int, default=1000, help="number of facts (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    generate(args.dest, args.facts, args.seed)
    print(f"generated {args.facts} facts in {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
