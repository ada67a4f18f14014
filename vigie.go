// Package vigie holds the domain of the vigie hub: organisations, API keys,
// communities, collections, the TLP sharing rules and the store contract.
// It imports nothing of vigie's own; adapters (store/sqlite, server, ...)
// import it and talk to each other only in these terms.
package vigie
