#pragma once

// Private to the model library: where JSON text has strings, for the passes that edit JSON without parsing it.

namespace es {

struct JsonStrings {
    bool inString = false;
    bool escaped = false;

    // Feeds the next byte; true when it lies outside strings (an opening quote counts as outside, a closing one as
    // inside).
    bool outside(char c)
    {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            return false;
        }
        if (c == '"')
            inString = true;
        return true;
    }
};

} // namespace es
