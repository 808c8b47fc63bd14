// playback-worklet.js: the 'donna-playback' AudioWorkletProcessor. DONNA's voice arrives in
// chunks of uneven size and timing; this processor queues them on the audio thread and
// plays them gaplessly, so the main thread only hands over buffers.
//
// Jitter buffer: after the queue runs dry (and at the start) it waits until at least 60 ms
// are queued before playing again, so a reply that arrives in small pieces does not stutter
// at its start. A 'drain' message says nothing more is coming for now: whatever is queued
// then plays at once, even if it is shorter than 60 ms.
//
// Messages in:  {type:'push', samples: Float32Array}   mono samples at the context's rate
//               {type:'drain'}
//               {type:'flush'}                            drop everything queued, now
// Messages out: {played, queued}        about every 20 ms while playing, and once on running dry
//               {flushed:true, played, queued:0}   the answer to each 'flush'
// played counts only real samples written to the output (never the silence in between),
// since the processor was created; queued is samples waiting.
class DonnaPlaybackProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunks = [];       // Float32Arrays, oldest first
    this.offset = 0;        // samples of chunks[0] already played
    this.queued = 0;
    this.played = 0;
    this.playing = false;   // false while waiting for the jitter buffer to fill
    this.draining = false;  // a 'drain' arrived: play what is queued without waiting
    this.startThreshold = Math.round(sampleRate * 0.06);
    this.reportInterval = Math.round(sampleRate * 0.02);
    this.sinceReport = 0;
    this.port.onmessage = (event) => this.receive(event.data);
  }

  receive(message) {
    if (!message) return;
    if (message.type === 'push' && message.samples && message.samples.length > 0) {
      this.chunks.push(message.samples);
      this.queued += message.samples.length;
    } else if (message.type === 'drain') {
      // With nothing queued there is nothing to hurry; the next reply buffers normally.
      if (this.queued > 0) this.draining = true;
    } else if (message.type === 'flush') {
      this.chunks = [];
      this.offset = 0;
      this.queued = 0;
      this.playing = false;
      this.draining = false;
      this.sinceReport = 0;
      this.port.postMessage({ flushed: true, played: this.played, queued: 0 });
    }
  }

  process(inputs, outputs) {
    const output = outputs[0];
    if (!output || output.length === 0) return true;
    const first = output[0];
    const frames = first.length;

    if (!this.playing && (this.queued >= this.startThreshold || (this.draining && this.queued > 0))) {
      this.playing = true;
    }
    let written = 0;
    if (this.playing) {
      while (written < frames && this.chunks.length > 0) {
        const chunk = this.chunks[0];
        const count = Math.min(frames - written, chunk.length - this.offset);
        first.set(chunk.subarray(this.offset, this.offset + count), written);
        written += count;
        this.offset += count;
        if (this.offset === chunk.length) {
          this.chunks.shift();
          this.offset = 0;
        }
      }
    }
    // Silence after the last real sample (the rest of this quantum, or all of it).
    first.fill(0, written);
    // Mono: every channel of the output carries the same signal.
    for (let channel = 1; channel < output.length; channel++) output[channel].set(first);

    if (written === 0) return true;
    this.played += written;
    this.queued -= written;
    this.sinceReport += written;
    if (this.queued === 0) {
      // Ran dry: report at once (the final count of this stretch) and buffer again.
      this.playing = false;
      this.draining = false;
      this.sinceReport = 0;
      this.port.postMessage({ played: this.played, queued: 0 });
    } else if (this.sinceReport >= this.reportInterval) {
      this.sinceReport = 0;
      this.port.postMessage({ played: this.played, queued: this.queued });
    }
    return true;
  }
}

registerProcessor('donna-playback', DonnaPlaybackProcessor);
