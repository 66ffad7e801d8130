"""A dependency-free SVG line chart: Logger.plot's picture when matplotlib is not installed."""
import html


def write_svg_plot(path, columns, title='', xlabel=''):
    """A line chart of `columns` [(name, [y0, y1, ...]), ...] against 1, 2, ... written to
    `path` as SVG."""
    width, height, left, right, top, bottom = 640, 400, 60, 150, 30, 40
    ys = [y for _, values in columns for y in values]
    lo, hi = min(ys), max(ys)
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    n = max(len(values) for _, values in columns)
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(i):
        return left + plot_w * (i / max(1, n - 1))

    def sy(y):
        return top + plot_h * (1 - (y - lo) / (hi - lo))

    colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd']
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle">{html.escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
           f'stroke="black"/>']
    for k in range(5):                                  # y ticks and grid lines
        y = lo + (hi - lo) * k / 4
        out.append(f'<line x1="{left}" y1="{sy(y):.1f}" x2="{left + plot_w}" y2="{sy(y):.1f}" '
                   f'stroke="#ddd"/><text x="{left - 5}" y="{sy(y) + 4:.1f}" '
                   f'text-anchor="end">{y:.4g}</text>')
    for i in range(n):                                  # x ticks: 1-based epoch numbers
        out.append(f'<text x="{sx(i):.1f}" y="{top + plot_h + 15}" '
                   f'text-anchor="middle">{i + 1}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 5}" '
               f'text-anchor="middle">{html.escape(xlabel)}</text>')
    for j, (name, values) in enumerate(columns):
        colour = colours[j % len(colours)]
        points = ' '.join(f'{sx(i):.1f},{sy(y):.1f}' for i, y in enumerate(values))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                   f'stroke-width="2"/>')
        ly = top + 15 + 18 * j
        out.append(f'<line x1="{left + plot_w + 10}" y1="{ly}" x2="{left + plot_w + 30}" '
                   f'y2="{ly}" stroke="{colour}" stroke-width="2"/><text '
                   f'x="{left + plot_w + 35}" y="{ly + 4}">{html.escape(name)}</text>')
    out.append('</svg>')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')
