// A BarcodeDetector (W3C Shape Detection API) for a Chromium that has none, as Debian's
// headless Chromium on Linux: the interface Chrome has on Android, built on the app's
// vendored zxing-wasm as the npm `barcode-detector` polyfill builds it. Installed by
// tests/inspect/test_camera.py with context.add_init_script, so the app's
// BarcodeDetector branch (scanner.js) runs. It counts its detect() calls in
// window.barcodeDetectorCalls.
(() => {
  const READER = "/static/inspect/vendor/zxing-wasm/reader/index.js";
  // Shape Detection format names -> zxing-wasm's.
  const FORMATS = new Map([
    ["qr_code", "QRCode"],
    ["data_matrix", "DataMatrix"],
    ["ean_13", "EAN-13"],
    ["ean_8", "EAN-8"],
    ["code_128", "Code128"],
  ]);
  let reader = null;

  function zxing() {
    if (reader === null) {
      reader = import(READER).then((module) => {
        module.prepareZXingModule({
          overrides: { locateFile: (path) => new URL(`/static/inspect/vendor/zxing-wasm/${path}`, location.href).href },
          fireImmediately: true,
        });
        return module;
      });
    }
    return reader;
  }

  function pixels(image) {
    if (image instanceof ImageData) return image;
    let width;
    let height;
    if (image instanceof HTMLVideoElement) {
      // The spec: a video with no current frame yet gives no barcodes.
      if (image.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
      [width, height] = [image.videoWidth, image.videoHeight];
    } else if (image instanceof HTMLImageElement) {
      [width, height] = [image.naturalWidth, image.naturalHeight];
    } else if (image instanceof HTMLCanvasElement || image instanceof ImageBitmap || image instanceof OffscreenCanvas) {
      [width, height] = [image.width, image.height];
    } else {
      throw new TypeError("BarcodeDetector.detect: the image is not an ImageBitmapSource");
    }
    if (!width || !height) return null;
    const context = new OffscreenCanvas(width, height).getContext("2d", { willReadFrequently: true });
    context.drawImage(image, 0, 0);
    return context.getImageData(0, 0, width, height);
  }

  class BarcodeDetector {
    #formats;

    constructor(options = {}) {
      const formats = options.formats ?? [...FORMATS.keys()];
      if (!Array.isArray(formats) || formats.length === 0) {
        throw new TypeError("BarcodeDetector: formats must be a non-empty list");
      }
      for (const format of formats) {
        if (!FORMATS.has(format)) throw new TypeError(`BarcodeDetector: unsupported format '${format}'`);
      }
      this.#formats = formats;
    }

    static async getSupportedFormats() {
      return [...FORMATS.keys()];
    }

    async detect(image) {
      window.barcodeDetectorCalls = (window.barcodeDetectorCalls || 0) + 1;
      const data = pixels(image);
      if (data === null) return [];
      const module = await zxing();
      const found = await module.readBarcodes(data, {
        formats: this.#formats.map((format) => FORMATS.get(format)),
        tryHarder: true,
      });
      const names = new Map([...FORMATS].map(([name, zxingName]) => [zxingName, name]));
      return found
        .filter((result) => result.isValid)
        .map((result) => {
          const { topLeft, topRight, bottomRight, bottomLeft } = result.position;
          const corners = [topLeft, topRight, bottomRight, bottomLeft].map(({ x, y }) => ({ x, y }));
          const xs = corners.map((c) => c.x);
          const ys = corners.map((c) => c.y);
          const [left, top] = [Math.min(...xs), Math.min(...ys)];
          return {
            boundingBox: new DOMRectReadOnly(left, top, Math.max(...xs) - left, Math.max(...ys) - top),
            cornerPoints: corners,
            format: names.get(result.format) ?? "unknown",
            rawValue: result.text,
          };
        });
    }
  }

  Object.defineProperty(window, "BarcodeDetector", { value: BarcodeDetector, writable: true, configurable: true });
})();
