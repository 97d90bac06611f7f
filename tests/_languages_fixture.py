"""A small two-language project (en, uk) for tests/test_languages.py and the browser test.

Partly translated on purpose: the fact 'swap-sizes', the glossary entry and the comparison's text
are left untranslated, so the pages show what a missing translation looks like.
"""

from __future__ import annotations

from conftest import MINIMAL, SEED_SHA256

UK = {
    "site.yaml": """\
        title: Test explainer
        description: A small explainer used by the tests.
        language: en
        languages: [en, uk]
        base_url: https://example.org/test/
        updated: 2025-06-01
        translations:
          uk:
            title: Тестове пояснення
            description: Невелике пояснення для тестів.
        topics:
          - {id: captures, label: Captures, translations: {uk: {label: Полонення}}}
          - {id: exchanges, label: Exchanges, translations: {uk: {label: Обміни}}}
        charts:
          - series: captured
            title: Prisoners captured
            description: Reported captures over time.
            translations: {uk: {title: Взяті в полон, description: Повідомлення про полонених у часі.}}
        """,
    "content/sources.yaml": f"""\
        - id: article-a
          title: Article A
          publisher: The Test Gazette
          author: null
          published: 2025-05-26
          url: https://example.org/a
          retrieved: null
          archive: a.txt
          label: the Test Gazette
          sha256: {SEED_SHA256}
          translations:
            uk: {{title: Стаття А, label: Test Gazette}}
        """,
    "content/facts.yaml": """\
        - id: sbu-102
          claim: SBU commandos captured at least 102 Russian soldiers on a Wednesday.
          attribution: the SBU
          date: 2024-08
          approximate: true
          date_note: The article dates it only as "Wednesday".
          added: 2025-06-01
          topics: [captures]
          citations:
            - source: article-a
              quote: "its commandos captured no fewer than 102 Russian conscripts"
              translations:
                uk: {quote: "її командос узяли в полон щонайменше 102 російських строковиків"}
          figure: {series: captured, value: 102, qualifier: at least, label: "SBU, one day"}
          translations:
            uk:
              claim: Командос СБУ взяли в полон щонайменше 102 російських військових у середу.
              attribution: СБУ
              date_note: Стаття датує це лише словом «середа».
              figure: {qualifier: щонайменше, label: "СБУ, один день"}
        - id: swap-sizes
          claim: Swaps exchanged between 50 and 95 soldiers.
          attribution: the Test Gazette
          date: "[2025-05-24,2025-05-25]"
          topics: [exchanges]
          citations:
            - source: article-a
              quote: "could range from 50 to 95 soldiers"
        - id: general-staff-971
          claim: Ukrainian forces captured 971 Russian soldiers.
          attribution: Ukraine's General Staff
          date: "2024-08-06/2025-05-25"
          as_of: "2025-05-26"
          topics: [captures]
          citations:
            - source: article-a
              quote: "captured 971 Russian soldiers during a months-long offensive - the General Staff said"
          translations:
            uk:
              claim: Українські сили взяли в полон 971 російського військового.
              attribution: Генштабу ЗСУ
        """,
    "content/timeline.yaml": """\
        - date: 2025-05-25
          title: General Staff statement
          text: The General Staff gave its **total**.
          facts: [general-staff-971]
          translations:
            uk: {title: Заява Генштабу, text: Генштаб назвав **загальне** число.}
        - date: 2024-08
          approximate: true
          title: SBU captures
          text: Mass captures reported.
          facts: [sbu-102]
          translations:
            uk: {title: Полонення СБУ, text: Повідомлено про масове полонення.}
        """,
    "content/comparisons.yaml": """\
        - id: captures-changed
          kind: change
          title: Captures over time
          text: The count grew.[[sbu-102]]
          facts: [sbu-102, general-staff-971]
          translations:
            uk: {title: Полонення з часом}
        """,
    "content/summaries/uk/01-intro.md": """\
        ---
        title: Що сталося
        order: 1
        ---
        Генштаб ЗСУ каже, що в полон узято 971 військового.[[general-staff-971]]

        Обміни були невеликими.[[swap-sizes]][[sbu-102]]
        """,
}

FILES = {**MINIMAL, **UK}
