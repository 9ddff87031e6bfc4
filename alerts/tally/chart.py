"""The tally as a chart (matplotlib, Agg): those held over time per source, and the
releases announced by the government against those verified by rights groups, cumulative.
Sized for a phone: 1,400 px wide, every label 28 px or more. Flagged figures (a 10x jump)
are drawn as crosses off the lines, never dropped."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, tzinfo

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from alerts.render import topic_label  # noqa: E402
from alerts.tally.figures import Tally, TopicState  # noqa: E402

DPI = 100
WIDTH_IN, HEIGHT_IN = 14.0, 15.0  # 1,400 x 1,500 px
FONT_PT = 21.0  # 21 pt at 100 dpi = 29 px
MIN_LABEL_PX = 28
# under three days the date axis ticks hours, every tick labelled with the same day; one
# figure alone made matplotlib span four years, five ticks all "01 Jan"
MIN_SPAN = timedelta(days=4)
MIN_COUNTS = 4  # the count axis spans at least this many, so that it ticks whole numbers
LONG_SPAN = timedelta(days=300)  # longer: ticks name the month and the year ("Jan 2027")


def chart_topic(tally: Tally, topic: str | None = None) -> str | None:
    """The topic to draw: the one asked for, else political_prisoners, else the one with most figures."""
    if topic is not None:
        return topic if topic in tally.topics else None
    if "political_prisoners" in tally.topics:
        return "political_prisoners"
    best = max(tally.topics.values(), key=lambda s: sum(map(len, s.held.values())) + len(s.announced)
               + len(s.verified), default=None)
    return best.topic if best else None


def _steps(line: list[tuple[datetime, int, object]]) -> tuple[list[datetime], list[int]]:
    return [d for d, _, _ in line], [n for _, n, _ in line]


def _span(dates: list[datetime]) -> tuple[datetime, datetime] | None:
    """The dates both panels show: every figure drawn, with a margin, at least MIN_SPAN."""
    if not dates:
        return None
    lo, hi = min(dates), max(dates)
    if hi - lo < MIN_SPAN:
        mid = lo + (hi - lo) / 2
        return mid - MIN_SPAN / 2, mid + MIN_SPAN / 2
    margin = (hi - lo) / 20
    return lo - margin, hi + margin


def draw(tally: Tally, topic: str | None = None, *, tz: tzinfo = UTC) -> MplFigure:
    """The chart, its days those of `tz` (settings.timezone in the chats, as the caption's)."""
    name = chart_topic(tally, topic)
    state = tally.topics.get(name) if name else None
    fig = MplFigure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    held_ax, rel_ax = fig.subplots(2, 1)
    with matplotlib.rc_context({"font.size": FONT_PT}):
        drawn = _held(held_ax, state) + _released(rel_ax, state)
        title = topic_label(name, "en") if name else "No figures"
        fig.suptitle(title, fontsize=FONT_PT * 1.2)
    span = _span(drawn)
    for ax in (held_ax, rel_ax):
        ax.tick_params(labelsize=FONT_PT)
        if span is None:
            ax.set_xticks([])  # no date to show
        else:
            ax.set_xlim(*span)  # one time axis for both panels
            ax.xaxis.set_major_formatter(
                mdates.DateFormatter("%b %Y" if span[1] - span[0] > LONG_SPAN else "%d %b", tz=tz))
            ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6, tz=tz))
        # people are counted whole, and read at full size: matplotlib's default wrote 18,000 and
        # 18,003 as "0.0 … 3.0" under a small "+1.8e4", and 116 then 117 as "116.2", "116.4"
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_whole))
        low, high = ax.get_ylim()
        if ax.has_data() and high - low < MIN_COUNTS:  # one figure, or the same one: a few around it
            low = max(0.0, (low + high - MIN_COUNTS) / 2)
            ax.set_ylim(low, low + MIN_COUNTS)
        ax.grid(True, alpha=0.3)
    return fig


def _whole(value: float, _pos: int | None = None) -> str:
    """A tick of the count axis: the whole number, thousands set apart ("18,003")."""
    return f"{round(value):,}"


def _held(ax: object, state: TopicState | None) -> list[datetime]:
    """Draw those held per source; the dates drawn."""
    ax.set_title("Still held, per source", fontsize=FONT_PT)  # type: ignore[attr-defined]
    if state is None or not state.held:
        ax.text(0.5, 0.5, "no figures", ha="center", fontsize=FONT_PT, transform=ax.transAxes)  # type: ignore[attr-defined]
        return []
    flagged_x: list[datetime] = []
    flagged_y: list[int] = []
    dates: list[datetime] = []
    for label, figures in sorted(state.held.items(), key=lambda kv: -len(kv[1]))[:6]:
        dates += [f.date for f in figures]
        clean = [f for f in figures if "jump" not in f.flags]
        if clean:
            ax.plot([f.date for f in clean], [f.number for f in clean], marker="o",  # type: ignore[attr-defined]
                    linewidth=3, markersize=9, label=label)
        for f in figures:
            if "jump" in f.flags:
                flagged_x.append(f.date)
                flagged_y.append(f.number)
    if flagged_x:
        ax.scatter(flagged_x, flagged_y, marker="x", s=300, linewidths=4, color="red",  # type: ignore[attr-defined]
                   label="flagged (10x jump)", zorder=5)
    ax.legend(fontsize=FONT_PT, loc="best")  # type: ignore[attr-defined]
    return dates


def _released(ax: object, state: TopicState | None) -> list[datetime]:
    """Draw the cumulative release lines; the dates drawn."""
    ax.set_title("Released, cumulative", fontsize=FONT_PT)  # type: ignore[attr-defined]
    lines = [] if state is None else [
        ("announced by the government", state.announced), ("verified by rights groups", state.verified)]
    dates: list[datetime] = []
    for label, line in lines:
        if line:
            x, y = _steps(line)
            ax.step(x, y, where="post", marker="o", linewidth=3, markersize=9,  # type: ignore[attr-defined]
                    label=f"{label} ({line[-1][2].stated})")  # "more than 800", as stated
            dates += x
    if dates:
        ax.legend(fontsize=FONT_PT, loc="upper left")  # type: ignore[attr-defined]
    else:
        ax.text(0.5, 0.5, "no figures", ha="center", fontsize=FONT_PT, transform=ax.transAxes)  # type: ignore[attr-defined]
    return dates


def render_png(tally: Tally, topic: str | None = None, *, tz: tzinfo = UTC) -> bytes:
    fig = draw(tally, topic, tz=tz)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()
