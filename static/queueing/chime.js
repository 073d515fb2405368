// A soft bank-hall chime made on the spot with the Web Audio API: no audio file, no network.
//
// Browsers start an AudioContext "suspended" until the page gets a user gesture. Pages show a
// button that calls `resume()` on it; lobby TVs run Chromium with
// `--autoplay-policy=no-user-gesture-required`, so theirs starts running without anyone there.

// A descending major triad (E5, C5, G4): the familiar "ding-dong" of a calling system.
const CALL_TONES = [659.25, 523.25, 392.0];
const TONE_SPACING_S = 0.42;
const TONE_LENGTH_S = 1.1;
const PEAK_GAIN = 0.22;

let sharedContext = null;

// One context per page: browsers limit how many a page may open.
export function audioContext() {
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass) return null;
  sharedContext ??= new AudioContextClass();
  return sharedContext;
}

// Calls `onChange(running)` now and whenever the context starts or stops being allowed to play.
export function watchSound(onChange) {
  const context = audioContext();
  if (!context) return;
  onChange(context.state === "running");
  context.addEventListener("statechange", () => onChange(context.state === "running"));
}

function bell(context, frequency, startAt) {
  const gain = context.createGain();
  gain.gain.setValueAtTime(0, startAt);
  gain.gain.linearRampToValueAtTime(PEAK_GAIN, startAt + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, startAt + TONE_LENGTH_S);
  gain.connect(context.destination);
  // A quiet octave above the fundamental makes a sine sound like a struck bell, not a beep.
  for (const [multiple, level] of [[1, 1], [2, 0.18]]) {
    const oscillator = context.createOscillator();
    const partial = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency * multiple;
    partial.gain.value = level;
    oscillator.connect(partial).connect(gain);
    oscillator.start(startAt);
    oscillator.stop(startAt + TONE_LENGTH_S);
  }
}

// Plays the chime; resolves once it has rung out, so speech can follow without talking over it.
// Resolves at once when sound is not (yet) allowed: the screen still shows the call.
export function playChime() {
  const context = audioContext();
  if (!context || context.state !== "running") return Promise.resolve();
  const startAt = context.currentTime + 0.05;
  CALL_TONES.forEach((frequency, index) => {
    bell(context, frequency, startAt + index * TONE_SPACING_S);
  });
  const lengthMs = ((CALL_TONES.length - 1) * TONE_SPACING_S + TONE_LENGTH_S) * 1000;
  return new Promise((resolve) => setTimeout(resolve, lengthMs));
}
