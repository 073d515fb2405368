// The wall screen's voice: a call spoken in each of the branch's announcement languages, one
// after another, after the chime. Digits are read one by one; a language without a voice on this
// TV is skipped, and the chime and the screen carry the call. While the TV's sound is off (no tap
// yet on a browser that waits for one), nothing is said either: the screen carries the call.

import { audioContext, playChime } from "../chime.js";

const DIGITS_ZH = "零一二三四五六七八九";

const speech = "speechSynthesis" in window ? window.speechSynthesis : null;

// Digits one by one, so "A023" is heard as "A, zero, two, three" and not as a quantity.
function splitNumber(number) {
  const match = /^([A-Z]*)(\d+)$/.exec(number);
  return match ? { letters: match[1], digits: match[2] } : { letters: number, digits: "" };
}

const SPOKEN = {
  "zh-hans": {
    voiceLanguage: "zh",
    preferredVoice: "zh-cn", // Mandarin, the language of announcements in every branch
    text(call) {
      const { letters, digits } = splitNumber(call.number);
      const spokenDigits = [...digits].map((digit) => DIGITS_ZH[digit]).join("");
      return `请${letters}${spokenDigits}号到${call.counter}号窗口办理`;
    },
  },
  en: {
    voiceLanguage: "en",
    preferredVoice: "en-gb",
    text(call) {
      const { letters, digits } = splitNumber(call.number);
      return `Number ${letters} ${[...digits].join(" ")}, please go to counter ${call.counter}.`;
    },
  },
};

function voicesLoaded() {
  if (speech.getVoices().length) return Promise.resolve();
  // Chromium loads its voices after the page; some engines never say they have none.
  return new Promise((resolve) => {
    speech.addEventListener("voiceschanged", resolve, { once: true });
    setTimeout(resolve, 2000);
  });
}

function voiceFor(language, preferred) {
  const normalised = (voice) => voice.lang.toLowerCase().replace("_", "-");
  const voices = speech.getVoices().filter((voice) => normalised(voice).startsWith(language));
  return voices.find((voice) => normalised(voice) === preferred) ?? voices[0] ?? null;
}

function speak(text, voice) {
  return new Promise((resolve) => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    // Some engines never report the end: one stuck utterance must not silence the screen.
    const guard = setTimeout(resolve, 4000 + text.length * 250);
    const done = () => {
      clearTimeout(guard);
      resolve();
    };
    utterance.addEventListener("end", done);
    utterance.addEventListener("error", done);
    speech.speak(utterance);
  });
}

function soundIsOff() {
  const context = audioContext();
  return context !== null && context.state !== "running";
}

// The chime (unless `chime` is false), then `call` spoken in each of `languages` (the branch's
// `announce_in`). Resolves once all of it has been heard.
export async function ring(call, languages, { chime = true } = {}) {
  if (chime) await playChime();
  if (!speech || soundIsOff()) return;
  await voicesLoaded();
  for (const language of languages) {
    const spoken = SPOKEN[language];
    const voice = spoken && voiceFor(spoken.voiceLanguage, spoken.preferredVoice);
    // No voice for a language: the chime and the screen carry the call.
    if (voice) await speak(spoken.text(call), voice);
  }
}
