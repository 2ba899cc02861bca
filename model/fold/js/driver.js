// The fold driver: the batch loop that runs the reducer's handlers over events, inside the engine.
//
// Compiled once per engine through the prelude's compile() (so that V4 gives it inline caches), then called with
// the script's handlers H and, when the source could be recompiled, the same handlers F compiled with inline caches.
// It returns the object the C++ side drives (JsFold in jsreducer.cpp). Type names cross once per fold (addType);
// a batch is a Float64Array of type ids, shape ids and numbers, one of the envelope, and JSON texts of strings,
// unshaped payloads, stream names and metadata. The state never leaves the engine unless asked.
(function (H, F) {
    var init = typeof H.$init === 'function' ? H.$init : null;
    function table(X) {
        var map = Object.create(null);
        Object.keys(X).forEach(function (k) {
            if (k.charAt(0) !== '$' && typeof X[k] === 'function') map[k] = X[k];
        });
        return { map: map, any: typeof X.$any === 'function' ? X.$any : null };
    }
    // F, when given, holds the same handlers compiled with inline caches; H's report errors with their lines.
    var scriptTable = table(H);
    var fastTable = F !== null ? table(F) : scriptTable;
    var scriptHandlers = [];
    var D = null;
    var types = [];
    var handlers = [];
    var shapes = [];
    var shapeNums = [];
    var shapeStrs = [];
    // V4 collects garbage each time the text held by strings grows by 128 KB over what survived the last
    // collection; a long-lived string raises that threshold so a batch does not trigger several collections.
    var ballast = 'x'.repeat(1 << 20);
    // V4 gives a 64 KB chunk back to the system (madvise) as soon as a collection finds it empty, and maps it
    // again on the next allocation; on virtual machines that costs far more than the allocation itself (one
    // small object measured 0.8-1.5 us instead of 0.09 us). A ring of every 16th recent event (or its data) keeps
    // some object alive in each chunk the fold allocates from between two collections (about 6,000 events), so
    // collections reuse chunks instead of returning them: 866 madvise calls per million events became 36.
    var pins = new Array(2048);
    var pinAt = 0;
    // The envelope comes as numbers, [stream index, position, version, time in ms] per event with NaN for none;
    // the batch's stream names and its metadata are parsed the first time a handler reads one of them. Both are
    // left out until some handler asks for them (reading a stream costs a string comparison per event).
    function Batch(env, streams, meta) {
        this.env = env; this.streamsText = streams; this.streams = null; this.metaText = meta; this.meta = null;
    }
    Batch.prototype.field = function (i, k) {
        var x = this.env[i * 4 + k];
        if (k === 0) {
            if (this.streamsText === null) { D.missed = true; return undefined; }
            if (this.streams === null) this.streams = JSON.parse(this.streamsText);
            return this.streams[x];
        }
        return x !== x ? null : x;
    };
    Batch.prototype.metadata = function (i) {
        if (this.metaText === null) { D.missed = true; return undefined; }
        if (this.meta === null) this.meta = this.metaText.split('\x1e');
        try { return JSON.parse(this.meta[i]); } catch (x) { return this.meta[i]; }
    };
    function Ev(b, i, t, d) { this._b = b; this._i = i; this.type = t; this.data = d; this._m = undefined; }
    Object.defineProperties(Ev.prototype, {
        streamId: { get: function () { return this._b.field(this._i, 0); } },
        position: { get: function () { return this._b.field(this._i, 1); } },
        version: { get: function () { return this._b.field(this._i, 2); } },
        time: {
            get: function () { var ms = this._b.field(this._i, 3); return ms === null ? null : new Date(ms).toISOString(); }
        },
        metadata: {
            get: function () {
                if (this._m === undefined) this._m = this._b.metadata(this._i);
                return this._m;
            },
            set: function (v) { this._m = v; }
        },
        body: { get: function () { return this.data; } },
        eventType: { get: function () { return this.type; } },
        sequenceNumber: { get: function () { return this.version; } },
        stream: { get: function () { return this.streamId; } },
        isJson: { get: function () { return this.data !== null && typeof this.data === 'object'; } }
    });
    Ev.prototype.toJSON = function () {
        return { type: this.type, streamId: this.streamId, position: this.position, version: this.version,
                 time: this.time, data: this.data, metadata: this.metadata };
    };
    var cur = 0;
    var isEnumerable = Object.prototype.propertyIsEnumerable;
    var protoOf = Object.getPrototypeOf;
    var objectProto = Object.prototype;
    var arrayProto = Array.prototype;
    // The JSON text of the state's value at one path, exactly as it lies in JSON.stringify(state) ('' where that has
    // none), or null when only the whole serialisation can tell: an object on the way, or the value itself, with a
    // toJSON (whose result depends on the key it is called with), or neither a plain object nor an array (a Date, a
    // Map, a class instance: their JSON is not their properties).
    function valueText(s, path) {
        var v = s, inArray = false;
        for (var q = 0; q < path.length; ++q) {
            if (v === null || typeof v !== 'object') return '';
            if (typeof v.toJSON === 'function') return null;
            var step = path[q];
            if (Array.isArray(v)) {
                if (protoOf(v) !== arrayProto) return null;
                if (typeof step !== 'number' || step < 0 || step >= v.length) return '';
                v = v[step];
                // An array's JSON holds null for what it cannot serialise.
                if (v === undefined || typeof v === 'function' || typeof v === 'symbol') v = null;
                inArray = true;
            } else {
                var proto = protoOf(v);
                if (proto !== objectProto && proto !== null) return null;
                if (typeof step !== 'string' || !isEnumerable.call(v, step)) return '';
                v = v[step];
                if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return '';
                inArray = false;
            }
        }
        switch (typeof v) {
        case 'number': return v === v && v !== Infinity && v !== -Infinity ? '' + v : 'null';
        case 'string': return JSON.stringify(v);
        case 'boolean': return v ? 'true' : 'false';
        case 'object': if (v !== null && typeof v.toJSON === 'function') return null;
        }
        var t = JSON.stringify(v);
        // The whole state's JSON is 'null' for a state that has none (see get); so is an array element.
        if (t === undefined) return path.length === 0 || inArray ? 'null' : '';
        return t;
    }
    // A stream's entry for foldEach: its values at the paths, or its whole state where a path needs that.
    function valuesText(s, paths) {
        var out = '\x1c';
        for (var q = 0; q < paths.length; ++q) {
            var t = valueText(s, paths[q]);
            if (t === null) {
                t = JSON.stringify(s);
                return t === undefined ? 'null' : t;
            }
            out += q === 0 ? t : '\x1f' + t;
        }
        return out;
    }
    // s: the state; err: what the last failing handler threw; saved: the state at the start of the last batch, as
    // JSON text; pred: the stop predicate; missed: a handler read the metadata or a stream name the batch left out;
    // reuse: one event object serves a whole batch (the C++ side sets it when the source cannot keep events);
    // limit: the memory budget, the most characters the state's JSON may have after a batch (0: none); over: how
    // many it had when it was past it; ended: the state's JSON measured after the last batch, which the next one
    // saves instead of serialising the state again (null once anything else touched the state).
    D = {
        s: {}, err: undefined, saved: 'null', pred: null, ballast: ballast, missed: false, reuse: false, limit: 0,
        over: 0, ended: null,
        // The index in the batch of the event being folded, or where the fold stopped.
        at: function () { return cur; },
        // Type `id` (the next one, or one whose addType was interrupted) is `name`, null for events without one.
        addType: function (id, name) {
            types[id] = name;
            var h = name !== null ? scriptTable.map[name] : undefined;
            scriptHandlers[id] = h === undefined ? scriptTable.any : h;
            h = name !== null ? fastTable.map[name] : undefined;
            handlers[id] = h === undefined ? fastTable.any : h;
        },
        // The state $init gives; false (with err) when $init throws.
        reset: function () {
            this.err = undefined;
            this.ended = null;
            try { var s = init !== null ? init() : undefined; this.s = s === undefined ? {} : s; return true; }
            catch (x) { this.err = x; this.s = null; return false; }
        },
        // The state as JSON text, and back.
        get: function () {
            if (this.ended !== null) return this.ended;
            var t = JSON.stringify(this.s);
            return t === undefined ? 'null' : t;
        },
        set: function (t) { this.ended = null; try { this.s = JSON.parse(t); return true; } catch (x) { return false; } },
        // Back to the state at the start of the last batch.
        restore: function () { this.ended = null; this.s = JSON.parse(this.saved); },
        // The stop predicate: an expression over state/event/s/e, or a function of (state, event); returns what
        // compiling it threw, or null.
        setPredicate: function (src) {
            if (!src) { this.pred = null; return null; }
            try {
                var f = new Function('state', 'event', 's', 'e',
                    'var r = (' + src + '\n); return typeof r === "function" ? r(state, event) : r;');
                this.pred = f;
                return null;
            } catch (x) { return x; }
        },
        // Shape `id` rebuilds a payload from `nums` numbers at n[i] and `strs` strings at s[j] (see shapecompiler.h).
        addShape: function (id, code, nums, strs) {
            shapes[id] = new Function('n', 'i', 's', 'j', 'return ' + code + ';');
            shapeNums[id] = nums;
            shapeStrs[id] = strs;
        },
        // Folds one batch; returns 0 when done, 1 when the predicate held (at() is the event after it), -1 when a
        // handler threw (at() is that event, err what it threw), 2 when the state is past the memory budget (over says
        // how far): measured after each saved batch (at() is then its last event) and before it (at() is 0, nothing
        // folded). With save, restore() goes back to the state before.
        // nbuf holds per event [type id, shape id, the shape's numbers...]; a shape rebuilds the data object from
        // them and from the batch's strings. Data with no shape (-1) comes whole, in order, in the JSON text.
        fold: function (nbuf, text, strs, ebuf, streams, meta, save, script) {
            this.missed = false;
            var v = new Float64Array(nbuf);
            var a = text.length > 2 ? JSON.parse(text) : null;
            var st = strs.length > 2 ? JSON.parse(strs) : null;
            var b = new Batch(new Float64Array(ebuf), streams, meta);
            var s = this.s;
            var ended = this.ended;
            this.ended = null;
            if (save) {
                this.saved = ended !== null ? ended : JSON.stringify(s);
                if (this.limit > 0 && this.saved !== undefined && this.saved.length > this.limit) {
                    this.over = this.saved.length;
                    cur = 0;
                    return 2;
                }
            }
            var pred = this.pred;
            var hs = script ? scriptHandlers : handlers;
            // Building an object with a prototype costs V4 several times what the reducer's own work does.
            var reuse = this.reuse && pred === null;
            var ev = reuse ? new Ev(b, 0, null, null) : null;
            var len = v.length;
            var p = 0, j = 0, k = 0, i = 0;
            try {
                for (; p < len; ++i) {
                    cur = i;
                    // Integer-typed, or V4 indexes the tables below through a number-to-string key.
                    var t = v[p] | 0;
                    var sh = v[p + 1] | 0;
                    var d;
                    if (sh < 0) { d = a[k++]; p += 2; }
                    else { d = shapes[sh](v, p + 2, st, j); p += 2 + shapeNums[sh]; j += shapeStrs[sh]; }
                    var e;
                    if (reuse) {
                        e = ev; e._i = i; e.type = types[t]; e.data = d; e._m = undefined;
                        if ((i & 15) === 0) pins[(pinAt++) & 2047] = d;
                    } else {
                        e = new Ev(b, i, types[t], d);
                        if ((i & 15) === 0) pins[(pinAt++) & 2047] = e;
                    }
                    var h = hs[t];
                    if (h !== null) { var r = h(s, e); if (r !== undefined) s = r; }
                    if (pred !== null && pred(s, e, s, e)) { this.s = s; cur = i + 1; return 1; }
                }
            } catch (x) { this.err = x; this.s = s; return -1; }
            this.s = s;
            cur = i;
            if (save && this.limit > 0 && i > 0) {
                var t = JSON.stringify(s);
                if (t !== undefined && t.length > this.limit) { this.over = t.length; cur = i - 1; return 2; }
                this.ended = t === undefined ? null : t;
            }
            return 0;
        },
        // Folds several streams in one call, each from $init: stream n's events end before index ends[n] of the batch
        // (laid out as for fold). Returns the states as JSON texts joined by '\x1e', an empty one for a stream whose
        // $init or handler threw or whose state is past the memory budget after its events: the C++ side folds those
        // again on their own. (fold also measures the state before a batch; serialising every stream's initial state
        // for that doubled the cost of a short stream, and a state past the budget before its events and within it
        // after them is not worth it.) With paths (an array of paths, each an array of keys and indexes), a stream's
        // entry is '\x1c' and the JSON text of the state's value at each path, joined by '\x1f' (empty where the
        // state's JSON has none), or its whole state where only that can tell (see valueText); the state is then not
        // measured against the budget. null (fold nothing) when a stop predicate is set.
        foldEach: function (nbuf, text, strs, ebuf, streams, meta, ebounds, paths) {
            this.missed = false;
            this.ended = null;
            if (this.pred !== null) return null;
            var v = new Float64Array(nbuf);
            var a = text.length > 2 ? JSON.parse(text) : null;
            var st = strs.length > 2 ? JSON.parse(strs) : null;
            var b = new Batch(new Float64Array(ebuf), streams, meta);
            var ends = new Float64Array(ebounds);
            var out = new Array(ends.length);
            var limit = this.limit;
            var hs = handlers;
            var reuse = this.reuse;
            var ev = reuse ? new Ev(b, 0, null, null) : null;
            var p = 0, j = 0, k = 0, i = 0;
            var s = null;
            for (var n = 0; n < ends.length; ++n) {
                var end = ends[n] | 0;
                var ok = true;
                var t;
                try {
                    s = init !== null ? init() : undefined;
                    if (s === undefined) s = {};
                    // i, p, j and k move past an event before its handler runs, so a throw leaves them at the next.
                    while (ok && i < end) {
                        cur = i;
                        var ty = v[p] | 0;
                        var sh = v[p + 1] | 0;
                        var d;
                        if (sh < 0) { d = a[k++]; p += 2; }
                        else { d = shapes[sh](v, p + 2, st, j); p += 2 + shapeNums[sh]; j += shapeStrs[sh]; }
                        ++i;
                        var e;
                        if (reuse) {
                            e = ev; e._i = cur; e.type = types[ty]; e.data = d; e._m = undefined;
                            if ((cur & 15) === 0) pins[(pinAt++) & 2047] = d;
                        } else {
                            e = new Ev(b, cur, types[ty], d);
                            if ((cur & 15) === 0) pins[(pinAt++) & 2047] = e;
                        }
                        var h = hs[ty];
                        if (h !== null) { var r = h(s, e); if (r !== undefined) s = r; }
                    }
                    if (ok && paths !== null) {
                        t = valuesText(s, paths);
                    } else if (ok) {
                        t = JSON.stringify(s);
                        if (t === undefined) t = 'null';
                        else if (limit > 0 && t.length > limit) ok = false;
                    }
                } catch (x) { ok = false; }
                if (!ok) {
                    // Past the rest of the stream's events.
                    for (; i < end; ++i) {
                        var sk = v[p + 1] | 0;
                        if (sk < 0) { ++k; p += 2; }
                        else { p += 2 + shapeNums[sk]; j += shapeStrs[sk]; }
                    }
                }
                out[n] = ok ? t : '';
            }
            this.s = s;
            cur = i;
            return out.join('\x1e');
        }
    };
    return D;
})
