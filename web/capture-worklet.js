// capture-worklet.js: the 'donna-capture' AudioWorkletProcessor. It runs on the audio
// rendering thread, where the microphone arrives in 128-sample render quanta, and gathers
// channel 0 into 20 ms batches so the main thread gets 50 messages a second instead of
// ~375 and never touches single samples.
//
// processorOptions.batchSize: samples per batch (audio.js passes sampleRate / 50).
// Messages out: a Float32Array of exactly batchSize samples; its buffer is transferred.
// Message in: 'stop' lets the processor end, so a stopped capture node can be collected.
class DonnaCaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const requested = options && options.processorOptions && options.processorOptions.batchSize;
    // sampleRate is the AudioWorkletGlobalScope's global; 20 ms when no size is given.
    this.batchSize = requested > 0 ? Math.floor(requested) : Math.round(sampleRate / 50);
    this.batch = new Float32Array(this.batchSize);
    this.filled = 0;
    this.active = true;
    this.port.onmessage = (event) => {
      if (event.data === 'stop') this.active = false;
    };
  }

  process(inputs) {
    if (!this.active) return false;
    const input = inputs[0];
    // No channels means no source is connected (yet, or any more): nothing to gather.
    if (!input || input.length === 0) return true;
    const channel = input[0];
    let offset = 0;
    while (offset < channel.length) {
      const count = Math.min(this.batchSize - this.filled, channel.length - offset);
      this.batch.set(channel.subarray(offset, offset + count), this.filled);
      this.filled += count;
      offset += count;
      if (this.filled === this.batchSize) {
        // Transfer, then start a fresh buffer: the old one now belongs to the main thread.
        this.port.postMessage(this.batch, [this.batch.buffer]);
        this.batch = new Float32Array(this.batchSize);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('donna-capture', DonnaCaptureProcessor);
