// The globals a projection script expects, and how the fold finds the script's handlers.
//
// Evaluated once per engine, before the reducer's source, as a function of the global object; it returns the
// object the C++ side keeps (takeLogs, handlers, recompile, compile). Nothing here reaches outside the engine:
// emit/linkTo are accepted and ignored because EventScope is a read-only inspector.
(function (g) {
    var captured = null; // the handlers given to when()
    var logs = [];
    var logChars = 0; // characters held in logs

    // fromAll()/fromStream(s)/fromCategory(c)... return a query whose when() captures the handlers; the other
    // query methods of EventStoreDB projections are accepted and do nothing.
    function Query() {}
    Query.prototype.when = function (h) { captured = h; return this; };
    ['outputState', 'partitionBy', 'foreachStream', 'transformBy', 'filterBy', 'outputTo', 'foreach'].forEach(
        function (n) { Query.prototype[n] = function () { return this; }; });
    function from() { return new Query(); }
    g.fromAll = from; g.fromStream = from; g.fromStreams = from; g.fromCategory = from; g.fromCategories = from;
    g.options = function () {};
    g.emit = function () {}; g.linkTo = function () {}; g.copyTo = function () {}; g.linkStreamTo = function () {};

    // log() and console.*: objects as JSON; the last thousand messages, at most 128 Ki characters (256 KB) in all,
    // each cut to 8 Ki characters, so a reducer that logs a 10 MB string per event holds no more than that.
    var maxLogs = 1000, maxLogChars = 1 << 17, maxMessageChars = 1 << 13;
    function clip(t) {
        return t.length <= maxMessageChars ? t
            : t.slice(0, maxMessageChars) + '\u2026 (' + (t.length - maxMessageChars) + ' more characters)';
    }
    function log() {
        var parts = [];
        for (var i = 0; i < arguments.length; ++i) {
            var a = arguments[i];
            var t = typeof a === 'string' ? a : JSON.stringify(a);
            parts.push(t === undefined ? '' : clip(t));
        }
        var m = clip(parts.join(' '));
        logs.push(m);
        logChars += m.length;
        while (logs.length > maxLogs || logChars > maxLogChars) logChars -= logs.shift().length;
    }
    g.log = log;
    g.console = { log: log, info: log, warn: log, error: log, debug: log };
    g.module = { exports: {} };
    g.exports = g.module.exports;

    // The globals before the script runs: a global function the script adds is a handler when it gives no other.
    var before = Object.getOwnPropertyNames(g);
    // How the script gave its handlers: 'when', 'exports', 'value' (the script's value) or 'globals'.
    var form = null;
    function picked(result) {
        if (captured !== null && typeof captured === 'object') { form = 'when'; return captured; }
        var ex = g.module.exports;
        if (ex !== null && typeof ex === 'object' && Object.keys(ex).length > 0) { form = 'exports'; return ex; }
        if (ex !== g.exports && g.exports !== null && typeof g.exports === 'object' && Object.keys(g.exports).length > 0) {
            form = 'exports';
            return g.exports;
        }
        if (result !== null && typeof result === 'object' && !Array.isArray(result)) { form = 'value'; return result; }
        return null;
    }
    function functionKeys(h) {
        return Object.keys(h).filter(function (k) { return typeof h[k] === 'function'; }).sort().join(',');
    }

    return {
        takeLogs: function () { logChars = 0; return logs.splice(0, logs.length); },
        // The script's handlers, given its value.
        handlers: function (result) {
            var h = picked(result);
            if (h !== null) return h;
            form = 'globals';
            var found = {};
            Object.getOwnPropertyNames(g).forEach(function (k) {
                if (before.indexOf(k) < 0 && typeof g[k] === 'function') found[k] = g[k];
            });
            return found;
        },
        // The handlers again, from the source run a second time as the body of a Function (top-level declarations
        // become its locals, and the handlers it declares come back in the form the script gave them); null when
        // that does not give the same handlers. Logs and the projection globals are left as the script left them.
        recompile: function (src, script) {
            var savedLogs = logs.slice(), savedLogChars = logChars, savedCaptured = captured, savedModule = g.module.exports, savedExports = g.exports;
            var savedForm = form;
            try {
                var body;
                if (form === 'value') body = 'return (' + src.replace(/[\s;]+$/, '') + '\n);';
                else if (form === 'globals') body = src + '\n;return {' + Object.keys(script).map(function (k) {
                    return JSON.stringify(k) + ': ' + k; }).join(', ') + '};';
                else body = src + '\n;';
                captured = null;
                g.module.exports = {};
                g.exports = g.module.exports;
                var result = new Function(body)();
                var h = form === 'globals' ? result : picked(result);
                if (form !== savedForm || h === null || typeof h !== 'object' || functionKeys(h) !== functionKeys(script))
                    return null;
                return h;
            } catch (x) {
                return null;
            } finally {
                logs = savedLogs; logChars = savedLogChars; captured = savedCaptured; g.module.exports = savedModule; g.exports = savedExports;
                form = savedForm;
            }
        },
        // The value of an expression compiled through the Function constructor: QJSEngine::evaluate compiles without
        // V4's inline caches for property access (it lets scripts see an outer context), code made by the Function
        // constructor has them, which makes the fold driver's batch loop about twice as fast.
        compile: function (src) { return new Function('return (' + src + '\n)')(); }
    };
})
