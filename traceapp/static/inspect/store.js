// What the app keeps on the phone, in IndexedDB: the bundle (its text, checked again
// at every start), the trusted key document, the settings and the inspections
// waiting to be sent.
const DB_NAME = "traceapp-inspect";
let opened = null;

function database() {
  if (opened === null) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("kv");
        request.result.createObjectStore("queue", { keyPath: "client_id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

async function run(storeName, mode, action) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = action(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}

export const getItem = (key) => run("kv", "readonly", (s) => s.get(key));
export const setItem = (key, value) => run("kv", "readwrite", (s) => s.put(value, key));
export const queued = () => run("queue", "readonly", (s) => s.getAll());
export const enqueue = (inspection) => run("queue", "readwrite", (s) => s.put(inspection));
export const dequeue = (clientId) => run("queue", "readwrite", (s) => s.delete(clientId));
