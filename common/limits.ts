// The one home of the limits more than one side checks: what the presenter can save, the engine
// can send, a node accepts and a viewer page may type must agree, so every schema (zod) and every
// form takes its number from here. A limit only one module enforces (a node's internal buffer, an
// encoder's backlog) stays next to the code it bounds. Plain values only: the renderer and the
// viewer page bundle this file too.

// ---- secrets ---------------------------------------------------------------------------------

/**
 * A node's presenter (control) token. At least 16 characters: anything shorter can be guessed over
 * the network (the node's docs suggest `openssl rand -hex 32`, 64 characters).
 */
export const MIN_TOKEN_CHARS = 16;
/**
 * At most 1024 characters, everywhere: the node's config, the control `hello`, the engine's server
 * config, the presenter profile and the IPC form. The profile and the form took 1024 already, so a
 * token a presenter could save is one the engine sends and the node accepts (the node's and the
 * engine's 512 are raised, which refuses nothing that worked before). Far above a generated token,
 * and a `hello` stays far below MAX_MESSAGE_BYTES.
 */
export const MAX_TOKEN_CHARS = 1024;
/**
 * A stream key as typed into the form or stored in a profile, signed query included
 * (`main?sign=v1.<expiry>.<43 characters>` is about 60). Far above the keys services hand out, and
 * keeps the publish URL a size every RTMP server takes as a stream name.
 */
export const MAX_STREAM_KEY_CHARS = 512;

// ---- names and ids ---------------------------------------------------------------------------

/**
 * Ids and names that become keys, file and path segments and metrics labels: server ids, node ids,
 * stream names, shared-object and slot names, question, voter, request and cue ids, method names.
 * Long enough for a UUID with a prefix, short enough for a log line and a Prometheus label.
 */
export const MAX_ID_CHARS = 64;
/** Server ids, node ids, shared-object and slot names: letters, digits, `_`, `.` and `-`. */
export const ID_PATTERN = new RegExp(`^[A-Za-z0-9_.-]{1,${MAX_ID_CHARS}}$`);
/**
 * A stream name as it stands in a URL path (`/live/<name>`, `/live/<name>.flv`): no dot, so it
 * cannot be confused with the `.flv` suffix or climb a path. The source, for larger patterns.
 */
export const STREAM_NAME_SOURCE = `[A-Za-z0-9_-]{1,${MAX_ID_CHARS}}`;
export const STREAM_NAME_PATTERN = new RegExp(`^${STREAM_NAME_SOURCE}$`);
/**
 * Question and voter ids are made at random by viewers' pages: at least 8 characters, so two
 * viewers do not pick the same one, and no dot (ids also name list entries in exports).
 */
export const MIN_CLIENT_ID_CHARS = 8;
export const CLIENT_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${MIN_CLIENT_ID_CHARS},${MAX_ID_CHARS}}$`);
/** A server's label: fits one line of a server tile. */
export const MAX_LABEL_CHARS = 80;
/** A cue's kind (the presenter's cue name): short, it goes to every viewer with every cue. */
export const MAX_CUE_KIND_CHARS = 32;
export const CUE_KIND_PATTERN = new RegExp(`^[A-Za-z0-9_.-]{1,${MAX_CUE_KIND_CHARS}}$`);
/** A MediaRecorder mime type with its codecs (`video/webm;codecs="vp8, opus"` is 30). */
export const MAX_MIME_TYPE_CHARS = 200;

// ---- Q&A -----------------------------------------------------------------------------------

/** A question is read out on air: a few sentences. Also sizes a node's Q&A (MAX_QUESTIONS_PER_NODE). */
export const MAX_QUESTION_CHARS = 500;
/** The name a viewer may give with a question: a name, not a message. */
export const MAX_ASKER_NAME_CHARS = 60;
/** Questions one node keeps (memory and its `qa.list`: 10,000 × 500 characters is ~5 MB of text). */
export const MAX_QUESTIONS_PER_NODE = 10_000;
/** Distinct (question, voter) pairs one node keeps; the engine keeps as many voter ids in all. */
export const MAX_VOTES_PER_NODE = 200_000;
/**
 * One presenter's `qa.list`, as a node queues it and as the engine assembles it. A node's own
 * bounds fill at most ~50 MB: 10,000 questions of 500 characters that JSON escapes to 6 bytes each
 * (~35 MB; ~5–15 MB for ordinary text) and 200,000 voter ids (~14 MB).
 */
export const MAX_QA_LIST_BYTES = 64 * 1024 * 1024;

// ---- control messages and shared objects -------------------------------------------------------

/**
 * One control message (the node's WebSocket maxPayload): bounds what any client can make a node
 * parse, and still carries a slide deck's worth of shared-object slots.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** One shared object, written whole in one `so.state` message: 1 KiB is left for the envelope. */
export const MAX_OBJECT_BYTES = MAX_MESSAGE_BYTES - 1024;
/** The application's own shared objects (slides, banner, the public `qa` …) a node keeps. */
export const MAX_OBJECTS = 256;
/** Slots in one shared object. */
export const MAX_SLOTS = 1024;
/**
 * The public `qa` object's question list, cut (lowest-ranked first) to this much JSON: with slot
 * versions, the `pinned` slot and the envelope it stays below MAX_OBJECT_BYTES.
 */
export const QA_PUBLIC_BYTES = 48 * 1024;
/**
 * One Q&A moderation bucket object. 64 buckets of 56 KiB hold about 50,000 questions with the
 * longest ids, far more than the nodes keep; below MAX_OBJECT_BYTES with its envelope.
 */
export const MODERATION_BUCKET_BYTES = 56 * 1024;
/** Shared-object text the presenter sets from the UI (a banner): a line, not a document. */
export const MAX_SO_TEXT_CHARS = 500;
/** A cue's data as JSON: it goes to every viewer of every node at once. */
export const MAX_CUE_DATA_BYTES = 4096;

// ---- presenter app ------------------------------------------------------------------------------

/**
 * One MediaRecorder chunk over IPC or the studio socket. The renderer records in 250 ms slices
 * (tens of KiB); a larger chunk means its timeslice is wrong, so it is refused, not buffered.
 */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;
/** A cluster profile file: a few servers, a brand and its logo. */
export const MAX_PROFILE_CHARS = 2 * 1024 * 1024;
/**
 * A brand logo as a base64 data: URL. 512 KB is a crisp logo at any size the app and the viewer
 * page show it, and keeps the profile (and the viewer page's first load) small.
 */
export const MAX_LOGO_CHARS = 512 * 1024;
