// hotfixOutput(text, 'KEY'): the value of the last `KEY=value` line a helper script printed.
// Fails the build when there is none.
String call(String text, String key) {
    String prefix = key + '='
    String found = null
    for (String line : (text ?: '').readLines()) {
        if (line.startsWith(prefix)) {
            found = line.substring(prefix.length()).trim()
        }
    }
    if (!found) {
        error("hotfix: expected a line '${prefix}<value>' in the output above")
    }
    return found
}
