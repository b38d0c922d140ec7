// IndexedDB for Node: every test file gets a working, in-memory implementation.
import 'fake-indexeddb/auto'
