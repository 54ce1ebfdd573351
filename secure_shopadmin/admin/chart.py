"""A small bar chart as server-rendered SVG (no JavaScript, no build step)."""

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, LABEL_HEIGHT = 560, 140, 18


def bar_chart(points, title):
    """``points``: [(label, value)], oldest first. Returns safe SVG markup."""
    if not points:
        return ""
    top = max(value for _, value in points) or 1
    step = WIDTH / len(points)
    bars = []
    for index, (label, value) in enumerate(points):
        height = round((HEIGHT - LABEL_HEIGHT * 2) * value / top)
        x = round(index * step + step * 0.15, 1)
        y = HEIGHT - LABEL_HEIGHT - height
        bars.append((x, y, round(step * 0.7, 1), height, label, value))
    body = format_html_join(
        "", '<g><title>{4}: {5}</title><rect x="{0}" y="{1}" width="{2}" height="{3}" fill="#417690"></rect>'
        '<text x="{6}" y="{7}" font-size="10" text-anchor="middle">{5}</text>'
        '<text x="{6}" y="{8}" font-size="9" text-anchor="middle">{9}</text></g>',
        ((x, y, w, h, label, value, round(x + w / 2, 1), y - 3, HEIGHT - 4, str(label)[-5:])
         for x, y, w, h, label, value in bars),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'style="max-width:{}px">{}</svg>', escape(title), WIDTH, HEIGHT, WIDTH, mark_safe(body),
    )
