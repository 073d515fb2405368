"""The wall screen in the lobby, as the people waiting there notice it: a burst of calls is
announced one call at a time with that call's number on the big display, every word is readable
from across the hall on a landscape or a portrait TV, and one tap anywhere turns the sound on.

Headless Chromium has no voices, so the pages here get a stand-in `speechSynthesis` whose every
utterance lasts SPEECH_MS; it notes what was said and when. The page's own clock
(`performance.now()`) times what the hall sees (the big number, by a MutationObserver) and hears
(the stand-in's utterances), and when each announcement starts (the screen's "announce" event)."""

import itertools
import re
import time

import pytest

from queueing import services
from tests import factories

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips these tests, or fails them in CI, saying why
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANDSCAPE = {"viewport": {"width": 1920, "height": 1080}}
PORTRAIT = {"viewport": {"width": 1080, "height": 1920}}
BROWSER_LOCALES = {"zh-hans": "zh-CN", "en": "en-GB"}

# static/queueing/screen/announcements.js
MINIMUM_SHOWN_MS = 4000
# Long enough that a call's chime (about 2 s) and its two utterances outlast MINIMUM_SHOWN_MS:
# the next call must then wait for the words, not for a timer.
SPEECH_MS = 1200
# Four announcements of about 4.4 s each, and room for a busy machine.
BURST_ANNOUNCED_MS = 30000
SMALLEST_TEXT_PX = 32
# WCAG 2 AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
NORMAL_CONTRAST, LARGE_CONTRAST = 4.5, 3.0

FOLLOW_THE_SCREEN = """
(() => {
  const log = { shown: [], heard: [], announced: [] };
  window.wallScreenLog = log;

  class Utterance extends EventTarget {
    constructor(text) {
      super();
      this.text = text;
      this.voice = null;
      this.lang = "";
      this.rate = 1;
    }
  }
  const voices = [
    { lang: "zh-CN", name: "Stand-in Mandarin", voiceURI: "zh", localService: true },
    { lang: "en-GB", name: "Stand-in English", voiceURI: "en", localService: true },
  ];
  let speaking = Promise.resolve();
  const speech = {
    getVoices: () => voices,
    speak(utterance) {
      // One utterance after another, as the real queue of the speech engine.
      speaking = speaking.then(() => new Promise((resolve) => {
        const heard = { text: utterance.text, start: performance.now(), end: null };
        log.heard.push(heard);
        setTimeout(() => {
          heard.end = performance.now();
          utterance.dispatchEvent(new Event("end"));
          resolve();
        }, SPEECH_MS);
      }));
    },
    cancel() {},
    addEventListener() {},
    removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: speech, configurable: true });
  window.SpeechSynthesisUtterance = Utterance;

  document.addEventListener("announce", (event) => {
    log.announced.push({ at: performance.now(), number: event.detail.number });
  });
  document.addEventListener("DOMContentLoaded", () => {
    const number = document.querySelector("#current-call [data-role=number]");
    const note = () => log.shown.push({ at: performance.now(), number: number.textContent });
    note();
    new MutationObserver(note).observe(number, {
      childList: true, characterData: true, subtree: true,
    });
  });
})();
""".replace("SPEECH_MS", str(SPEECH_MS))

# The test browser lets every page play sound (--autoplay-policy in the conftest). A TV whose
# browser waits for a gesture starts its sound suspended, as this stand-in makes it.
SOUND_WAITS_FOR_A_GESTURE = """
(() => {
  const Original = window.AudioContext;
  window.AudioContext = class extends Original {
    constructor(...options) {
      super(...options);
      this.suspend();
    }
  };
})();
"""

# Every word a person can see: its text, size, weight, box, whether a box with hidden overflow
# (or the screen) cuts it, and its contrast with the lightest colour that can be behind it.
# Backgrounds are composed from the root down; a gradient counts as each of its colours, so the
# measure holds wherever on the gradient the word sits. Words for screen readers only (.sr-only:
# the live announcer, a heading) are not seen, so not measured.
VISIBLE_WORDS = """
() => {
  const colours = (text) =>
    [...text.matchAll(/rgba?\\(([^)]+)\\)/g)].map((match) => {
      const [r, g, b, a = 1] = match[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [r, g, b, a];
    });
  const over = ([r, g, b, a], [r0, g0, b0]) =>
    [r * a + r0 * (1 - a), g * a + g0 * (1 - a), b * a + b0 * (1 - a)];
  const layers = (image) => {
    const found = [];
    let depth = 0, start = 0;
    [...image].forEach((character, index) => {
      if (character === "(") depth += 1;
      if (character === ")") depth -= 1;
      if (character === "," && depth === 0) {
        found.push(image.slice(start, index));
        start = index + 1;
      }
    });
    return [...found, image.slice(start)];
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((value) => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (one, other) => {
    const [light, dark] = [luminance(one), luminance(other)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };

  function backdrops(element) {
    const chain = [];
    for (let node = element; node; node = node.parentElement) chain.unshift(node);
    let behind = [[255, 255, 255]]; // the canvas
    for (const node of chain) {
      const style = getComputedStyle(node);
      behind = behind.map((colour) => over(colours(style.backgroundColor)[0], colour));
      if (style.backgroundImage === "none") continue;
      for (const layer of layers(style.backgroundImage).reverse()) {
        const stops = colours(layer);
        if (stops.length) behind = behind.flatMap((colour) => stops.map((s) => over(s, colour)));
      }
    }
    return behind;
  }

  function cutBy(range, element) {
    const box = range.getBoundingClientRect();
    const inside = (outer) =>
      box.left >= outer.left - 1 && box.right <= outer.right + 1 &&
      box.top >= outer.top - 1 && box.bottom <= outer.bottom + 1;
    if (!inside({ left: 0, top: 0, right: innerWidth, bottom: innerHeight })) return "the screen";
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== "visible" || style.overflowY !== "visible") {
        if (node !== document.body && node !== document.documentElement &&
            !inside(node.getBoundingClientRect())) return node.id || node.className;
      }
    }
    return null;
  }

  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || element.closest("script, .sr-only")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    let opacity = 1;
    for (let up = element; up; up = up.parentElement) {
      opacity *= Number(getComputedStyle(up).opacity);
    }
    const [r, g, b, a] = colours(style.color)[0];
    const ink = [r, g, b, a * opacity];
    words.push({
      text,
      where: element.className || element.parentElement.className || element.tagName,
      size: parseFloat(style.fontSize),
      bold: Number(style.fontWeight) >= 700,
      contrast: Math.min(...backdrops(element).map((paper) => contrast(over(ink, paper), paper))),
      cutBy: cutBy(range, element),
    });
  }
  return words;
}
"""

ELLIPSES = """
() => [...document.querySelectorAll("body *")]
  .filter((element) => getComputedStyle(element).textOverflow === "ellipsis")
  .map((element) => element.className)
"""

# Service names, as a branch names them: long, in both languages.
LONG_NAMES = {
    "A": ("个人现金存取款业务", "Personal cash deposits and withdrawals"),
    "B": ("非现金及转账汇款", "Transfers, remittances and other non-cash services"),
    "C": ("对公业务", "Business banking"),
    "D": ("理财与贷款咨询", "Wealth management and loan advice"),
}


def wait_until_live(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-live", "live")


def big_number(page):
    return page.locator("#current-call [data-role=number]")


def spoken_number(text: str) -> str:
    """The ticket number in what the screen said, in Mandarin or in English (screen/voice.js)."""
    digits_zh = "零一二三四五六七八九"
    if match := re.match(r"请([A-Z]+)([零一二三四五六七八九]+)号", text):
        return match[1] + "".join(str(digits_zh.index(digit)) for digit in match[2])
    match = re.match(r"Number ([A-Z]+) ([\d ]+),", text)
    assert match, f"no ticket number in {text!r}"
    return match[1] + match[2].replace(" ", "")


def changes(shown: list[dict]) -> list[dict]:
    """The big display's numbers as they changed, without the empty start."""
    found: list[dict] = []
    for sample in shown:
        if sample["number"] and (not found or found[-1]["number"] != sample["number"]):
            found.append(sample)
    return found


def number_shown_at(shown: list[dict], moment: float) -> str:
    return [sample for sample in shown if sample["at"] <= moment][-1]["number"]


@pytest.fixture
def tellers(branch):
    return [factories.make_staff(branch, role="teller") for _ in range(3)]


def test_a_burst_of_calls_is_announced_one_by_one_with_the_number_on_screen(
    new_page, api_post, in_thread, screenshot, branch, cash, non_cash, tellers
):
    in_thread(factories.issue, cash, 2)
    in_thread(factories.issue, non_cash, 1)
    for number, queue in [(1, cash), (2, cash), (3, non_cash)]:
        in_thread(factories.make_counter, branch, number, [queue])
    screen = new_page(**LANDSCAPE)
    screen.add_init_script(FOLLOW_THE_SCREEN)
    screen.goto("/screens/GZ-TH01/")
    wait_until_live(screen)

    started = time.monotonic()
    called = [
        api_post(f"/api/branches/GZ-TH01/counters/{counter}/call-next/", user=teller)[1]
        for counter, teller in zip([1, 2, 3], tellers, strict=True)
    ]
    status, _ = api_post(f"/api/tickets/{called[0]['token']}/recall/", user=tellers[0])
    burst_seconds = time.monotonic() - started

    assert [call["number"] for call in called] == ["A001", "A002", "B001"]
    assert status == 200
    # Faster than one announcement: the calls must wait for each other.
    assert burst_seconds < MINIMUM_SHOWN_MS / 1000 / 2, f"the burst took {burst_seconds:.2f} s"
    # Every call is in the list at once, the recalled one at the top again.
    recent = screen.locator("#recent-calls [data-role=number]")
    expect(recent).to_have_text(["A001", "B001", "A002"], timeout=2000)
    expect(big_number(screen)).to_have_text("A001")
    screenshot(screen, "burst")

    screen.wait_for_function(
        "() => wallScreenLog.heard.length === 8 && wallScreenLog.heard.every((words) => words.end)",
        timeout=BURST_ANNOUNCED_MS,
    )
    log = screen.evaluate("wallScreenLog")
    in_order = ["A001", "A002", "B001", "A001"]
    assert [announcement["number"] for announcement in log["announced"]] == in_order
    # What was heard: each call in Mandarin and in English, in the same order.
    assert [spoken_number(words["text"]) for words in log["heard"]] == [
        number for number in in_order for _language in ("zh", "en")
    ]
    # What was seen: the same numbers in the same order, each for at least the minimum time,
    # each put up as its announcement started.
    shown = changes(log["shown"])
    assert [sample["number"] for sample in shown] == in_order
    for sample, announcement in zip(shown, log["announced"], strict=True):
        assert abs(sample["at"] - announcement["at"]) < 50
    for this, following in itertools.pairwise(shown):
        held = following["at"] - this["at"]
        assert held >= MINIMUM_SHOWN_MS, f"{this['number']} was shown for only {held:.0f} ms"
    # And while each word was said, the number on the display was the one being said.
    for words in log["heard"]:
        on_display = number_shown_at(log["shown"], words["start"])
        assert on_display == spoken_number(words["text"])
        assert not [s for s in log["shown"] if words["start"] < s["at"] <= words["end"]]
    expect(recent).to_have_text(["A001", "B001", "A002"])
    screenshot(screen, "announced")


def test_with_the_sound_off_each_call_still_stays_on_screen_for_the_minimum_time(
    new_page, api_post, in_thread, branch, cash, tellers
):
    in_thread(factories.issue, cash, 2)
    for number in [1, 2]:
        in_thread(factories.make_counter, branch, number, [cash])
    screen = new_page(**LANDSCAPE)
    screen.add_init_script(SOUND_WAITS_FOR_A_GESTURE)
    screen.add_init_script(FOLLOW_THE_SCREEN)
    screen.goto("/screens/GZ-TH01/")
    wait_until_live(screen)
    expect(screen.locator("body")).to_have_attribute("data-sound", "off")

    for counter, teller in zip([1, 2], tellers[:2], strict=True):
        api_post(f"/api/branches/GZ-TH01/counters/{counter}/call-next/", user=teller)

    expect(screen.locator("#recent-calls [data-role=number]")).to_have_text(["A002", "A001"])
    expect(big_number(screen)).to_have_text("A001")
    expect(big_number(screen)).to_have_text("A002", timeout=MINIMUM_SHOWN_MS + 2000)
    log = screen.evaluate("wallScreenLog")
    first, second = changes(log["shown"])
    assert second["at"] - first["at"] >= MINIMUM_SHOWN_MS
    assert log["heard"] == []  # nothing is said on a TV whose sound is not on yet


@pytest.mark.parametrize("gesture", ["click on the recent calls", "tap on a queue", "press a key"])
def test_one_tap_anywhere_on_the_screen_turns_the_sound_on(new_page, screenshot, cash, gesture):
    # A tap on a queue, on a portrait touch screen; a click and a key on a landscape TV.
    viewport = PORTRAIT if gesture == "tap on a queue" else LANDSCAPE
    screen = new_page(**viewport, has_touch=True)
    screen.add_init_script(SOUND_WAITS_FOR_A_GESTURE)
    screen.goto("/screens/GZ-TH01/")
    wait_until_live(screen)
    body = screen.locator("body")
    expect(body).to_have_attribute("data-sound", "off")
    expect(screen.locator("#enable-sound")).to_be_visible()
    screenshot(screen, "sound-off")

    if gesture == "click on the recent calls":
        screen.locator(".recent-calls").click()
    elif gesture == "tap on a queue":
        screen.locator("#queues [data-prefix=A] .queue-name .zh").tap()
    else:
        screen.keyboard.press("Space")

    expect(body).to_have_attribute("data-sound", "on")
    expect(screen.locator("#enable-sound")).to_be_hidden()


def make_a_busy_branch(branch) -> None:
    """Four queues with long names, people waiting in each, and eight calls made at counter 12."""
    queues = [
        factories.make_service(branch, prefix, name_zh=name_zh, name_en=name_en)
        for prefix, (name_zh, name_en) in LONG_NAMES.items()
    ]
    counter = factories.make_counter(branch, 12, queues)
    for queue in queues:
        factories.issue(queue, 3)
    for call in range(8):
        ticket = services.ticket_call_next(counter=counter, actor=None)
        if call < 7:  # the counter calls nobody else while a customer is on their way
            services.ticket_mark_no_show(ticket=ticket, actor=None)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("shape", ["landscape", "portrait"])
def test_every_word_on_the_wall_screen_is_large_whole_and_on_screen(
    new_page, in_thread, screenshot, branch, shape, language
):
    in_thread(make_a_busy_branch, branch)
    viewport = LANDSCAPE if shape == "landscape" else PORTRAIT
    screen = new_page(locale=BROWSER_LOCALES[language], **viewport)
    screen.goto("/screens/GZ-TH01/")
    wait_until_live(screen)
    expect(screen.locator("html")).to_have_attribute("lang", language)
    expect(screen.locator("#recent-calls li")).to_have_count(6)
    expect(screen.locator("#queues .queue")).to_have_count(4)
    screenshot(screen, "screen")

    words = screen.evaluate(VISIBLE_WORDS)

    seen = " ".join(word["text"] for word in words)
    for name_zh, name_en in LONG_NAMES.values():
        assert name_zh in seen and name_en in seen
    small = [(w["text"], w["where"], w["size"]) for w in words if w["size"] < SMALLEST_TEXT_PX]
    assert not small, "too small to read across a lobby"
    cut = [(word["text"], word["cutBy"]) for word in words if word["cutBy"]]
    assert not cut, "words cut off by the edge of their box or of the screen"
    assert screen.evaluate(ELLIPSES) == []
    names = screen.locator(".queue-name .zh, .queue-name .en")
    for overflow in names.evaluate_all("names => names.map((n) => n.scrollWidth - n.clientWidth)"):
        assert overflow <= 0
    number = big_number(screen).bounding_box()
    assert number is not None
    width, height = viewport["viewport"]["width"], viewport["viewport"]["height"]
    assert number["x"] >= 0 and number["x"] + number["width"] <= width
    assert number["y"] >= 0 and number["y"] + number["height"] <= height


def test_the_wall_screens_words_stand_out_from_their_background_even_while_a_call_flashes(
    new_page, api_post, in_thread, screenshot, branch, counter, cash, teller
):
    in_thread(factories.issue, cash, 2)
    screen = new_page(**LANDSCAPE)
    screen.goto("/screens/GZ-TH01/")
    wait_until_live(screen)
    api_post("/api/branches/GZ-TH01/counters/1/call-next/", user=teller)
    expect(big_number(screen)).to_have_text("A001")
    # The flash at its reddest (35% of each 1.5 s glow), then at rest.
    screen.evaluate(
        "document.getAnimations().forEach((a) => { a.pause(); a.currentTime = 0.35 * 1500; })"
    )
    screenshot(screen, "flash")
    flashing = screen.evaluate(VISIBLE_WORDS)
    screen.evaluate("document.getAnimations().forEach((a) => a.finish())")  # the flash only
    expect(screen.locator("#current-call")).not_to_have_class(re.compile(r"\bflash\b"))
    at_rest = screen.evaluate(VISIBLE_WORDS)
    screenshot(screen, "at-rest")

    for words in (flashing, at_rest):
        assert any(word["text"] == "A001" for word in words)
        for word in words:
            large = word["size"] >= 24 or (word["bold"] and word["size"] >= 18.66)
            needed = LARGE_CONTRAST if large else NORMAL_CONTRAST
            assert word["contrast"] >= needed, (word["text"], word["where"], word["contrast"])
