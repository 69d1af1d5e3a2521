# ruff: noqa: E501 — the shipped texts read better unbroken
"""The notice texts shipped with shoka, in Japanese and English (docs/notices.md).

They are written to the database after every migration (and after a test database is
flushed) when missing; rows a library has edited are never overwritten. A library's own
row of the same key and language wins over these (rendering.template_for)."""

from __future__ import annotations

from typing import Any

ITEMS_JA = (
    "{% for i in items %}・{{ i.title }}（資料番号 {{ i.barcode }}、返却期限 "
    '{{ i.due_on|date:"Y年n月j日" }}）\n{% endfor %}'
)
ITEMS_EN = (
    "{% for i in items %}- {{ i.title }} (item {{ i.barcode }}, due "
    '{{ i.due_on|date:"j M Y" }})\n{% endfor %}'
)

TEMPLATES: list[tuple[str, str, str, str]] = [
    # key, language, subject, body
    (
        "sender",
        "ja",
        "",
        "{{ library }}\n(住所・電話番号は図書館の設定で編集してください)",
    ),
    ("sender", "en", "", "{{ library }}\n(Edit the address and phone number in the settings)"),
    (
        "overdue_email",
        "ja",
        "【{{ library }}】返却期限を過ぎた資料があります",
        "{{ name }} 様\n\nいつも{{ library }}をご利用いただきありがとうございます。\n"
        "お借りの資料のうち{{ count }}点が返却期限を過ぎています。\n\n" + ITEMS_JA + "\n"
        "お早めにご返却ください。行き違いでご返却済みの場合はご容赦ください。\n\n{{ library }}",
    ),
    (
        "overdue_email",
        "en",
        "[{{ library }}] Items past their due date",
        "Dear {{ name }},\n\n{{ count }} item(s) you borrowed from {{ library }} are past "
        "their due date.\n\n" + ITEMS_EN + "\nPlease return them soon. If you have already "
        "returned them, please disregard this message.\n\n{{ library }}",
    ),
    (
        "overdue_email_child",
        "ja",
        "【{{ library }}】{{ child_name }}さんの本の返却について",
        "{{ child_name }}さんの保護者様\n\nいつも{{ library }}をご利用いただきありがとうございます。\n"
        "{{ child_name }}さんがお借りになっている本のうち{{ count }}点が、返却の日を過ぎています。\n\n"
        + ITEMS_JA
        + "\nお手すきのときに、{{ child_name }}さんといっしょに返しに来てくださいね。"
        "行き違いでご返却済みの場合はご容赦ください。\n\n{{ library }}",
    ),
    (
        "overdue_email_child",
        "en",
        "[{{ library }}] {{ child_name }}'s library books",
        "Dear parent or guardian of {{ child_name }},\n\n{{ count }} item(s) "
        "{{ child_name }} borrowed are past their due date.\n\n" + ITEMS_EN + "\nWe would "
        "be glad to see you both when you bring them back. If they are back already, thank "
        "you, and please disregard this message.\n\n{{ library }}",
    ),
    (
        "overdue_postcard",
        "ja",
        "",
        "返却のお願い\n\n{{ name }} 様\n\nお借りの資料{{ count }}点の返却期限"
        '（{{ earliest_due|date:"Y年n月j日" }}）が過ぎています。\n'
        "お早めにご返却ください。資料名は図書館でお確かめいただけます。\n"
        "行き違いでご返却済みの場合はご容赦ください。",
    ),
    (
        "overdue_postcard",
        "en",
        "",
        "Please return your library items\n\nDear {{ name }},\n\n{{ count }} item(s) were "
        'due on {{ earliest_due|date:"j M Y" }}. Please return them soon. The library can '
        "tell you which items they are.\nIf you have returned them already, thank you.",
    ),
    (
        "overdue_postcard_child",
        "ja",
        "",
        "本の返却のお願い\n\n{{ child_name }}さんの保護者様\n\n{{ child_name }}さんがお借りの本"
        '{{ count }}点の返却の日（{{ earliest_due|date:"Y年n月j日" }}）が過ぎています。\n'
        "お手すきのときに返しに来てくださいね。本の名前は図書館でお確かめいただけます。",
    ),
    (
        "overdue_postcard_child",
        "en",
        "",
        "Library books to return\n\nDear parent or guardian of {{ child_name }},\n\n"
        '{{ count }} item(s) {{ child_name }} borrowed were due on {{ earliest_due|date:"j M Y" }}. '
        "We would be glad to see them back soon.",
    ),
    (
        "overdue_letter",
        "ja",
        "資料の返却について（お願い）",
        "{{ name }} 様\n\nいつも{{ library }}をご利用いただきありがとうございます。\n"
        "次の資料の返却期限が過ぎています。ほかの方も返却をお待ちですので、お早めにご返却ください。\n\n"
        + ITEMS_JA
        + "\n行き違いでご返却済みの場合はご容赦ください。ご不明な点は図書館までお問い合わせください。",
    ),
    (
        "overdue_letter",
        "en",
        "Items past their due date",
        "Dear {{ name }},\n\nThank you for using {{ library }}. The following items are past "
        "their due date. Other readers are waiting for them; please return them soon.\n\n"
        + ITEMS_EN
        + "\nIf you have returned them already, please disregard this letter. Contact the "
        "library with any questions.",
    ),
    (
        "overdue_letter_child",
        "ja",
        "本の返却についてのお願い",
        "{{ child_name }}さんの保護者様\n\nいつも{{ library }}をご利用いただきありがとうございます。\n"
        "{{ child_name }}さんがお借りになっている次の本が、返却の日を過ぎています。\n"
        "ほかのお友だちも楽しみに待っていますので、お手すきのときに、{{ child_name }}さんと"
        "いっしょに返しに来てくださいね。\n\n"
        + ITEMS_JA
        + "\n行き違いでご返却済みの場合はご容赦ください。見つからないときも、どうぞお気軽にご相談ください。",
    ),
    (
        "overdue_letter_child",
        "en",
        "About {{ child_name }}'s library books",
        "Dear parent or guardian of {{ child_name }},\n\nThank you for using {{ library }}. "
        "The books below, borrowed by {{ child_name }}, are past their due date. Other "
        "children are looking forward to reading them; we would be glad to see you both "
        "when you bring them back.\n\n"
        + ITEMS_EN
        + "\nIf they are back already, thank you. If a book cannot be found, please talk to "
        "us; we are happy to help.",
    ),
    (
        "hold_ready_email",
        "ja",
        "【{{ library }}】ご予約の資料をご用意しました",
        "{{ name }} 様\n\nご予約の資料をご用意しました。\n\n受取館: {{ pickup_branch }}\n"
        "取置番号: {{ pickup_number }}\n"
        '取置期限: {{ last_day|date:"Y年n月j日" }}\n\n期限までに利用カードをお持ちのうえお越しください。\n\n{{ library }}',
    ),
    (
        "hold_ready_email",
        "en",
        "[{{ library }}] Your hold is ready",
        "Dear {{ name }},\n\nAn item you reserved is ready for you.\n\nPickup at: "
        "{{ pickup_branch }}\nPickup number: {{ pickup_number }}\nLast day: "
        '{{ last_day|date:"j M Y" }}\n\nPlease bring your library card.\n\n{{ library }}',
    ),
    (
        "hold_ready_postcard",
        "ja",
        "",
        "ご予約の資料のご用意ができました\n\n{{ name }} 様\n\n受取館: {{ pickup_branch }}\n"
        '取置番号: {{ pickup_number }}\n取置期限: {{ last_day|date:"Y年n月j日" }}\n\n'
        "利用カードをお持ちのうえお越しください。",
    ),
    (
        "hold_ready_postcard",
        "en",
        "",
        "Your hold is ready\n\nDear {{ name }},\n\nPickup at: {{ pickup_branch }}\n"
        'Pickup number: {{ pickup_number }}\nLast day: {{ last_day|date:"j M Y" }}\n\n'
        "Please bring your library card.",
    ),
]


def ensure_default_templates(using: str = "default", **_: Any) -> None:
    """Create the shipped texts that are missing (a post_migrate handler)."""
    from .models import NoticeTemplate

    have = set(
        NoticeTemplate.objects.using(using)
        .filter(library__isnull=True)
        .values_list("key", "language")
    )
    NoticeTemplate.objects.using(using).bulk_create(
        NoticeTemplate(library=None, key=key, language=language, subject=subject, body=body)
        for key, language, subject, body in TEMPLATES
        if (key, language) not in have
    )
