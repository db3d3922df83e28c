// Camera scanning: the browser's BarcodeDetector where it reads QR codes, else the
// self-hosted ZXing-C++ WebAssembly build (vendor/zxing-wasm, precached by sw.js).
// `?decoder=wasm` on the app's address forces the WebAssembly path (tests use it).
const forcedWasm = new URLSearchParams(location.search).get("decoder") === "wasm";
let zxing = null;

async function nativeDetector() {
  if (forcedWasm || !("BarcodeDetector" in globalThis)) return null;
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats();
    return formats.includes("qr_code") ? new globalThis.BarcodeDetector({ formats: ["qr_code"] }) : null;
  } catch {
    return null;
  }
}

async function wasmReader() {
  if (zxing === null) {
    zxing = await import("./vendor/zxing-wasm/reader/index.js");
    zxing.prepareZXingModule({
      overrides: { locateFile: (path) => new URL(`./vendor/zxing-wasm/${path}`, import.meta.url).href },
      fireImmediately: true,
    });
  }
  return zxing;
}

/** Start reading QR codes from `video`; calls onCode(text, decoder) once, then stops. */
export async function startScanning(video, onCode) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
  const detector = await nativeDetector();
  const decoder = detector ? "barcode-detector" : "zxing-wasm";
  const reader = detector ? null : await wasmReader();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = async () => {
    if (stopped) return;
    let text = null;
    if (video.videoWidth > 0) {
      if (detector) {
        const found = await detector.detect(video);
        text = found.length ? found[0].rawValue : null;
      } else {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const found = await reader.readBarcodes(image, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 });
        text = found.length && found[0].isValid ? found[0].text : null;
      }
    }
    if (text) {
      stop();
      onCode(text, decoder);
    } else if (!stopped) {
      setTimeout(tick, 120);
    }
  };
  tick();
  return { stop, decoder };
}
