// hotfixArtifactVersion(config): the version of the artifact this build publishes:
// `<base>-<hotfix id>.<build number>`, e.g. 1.4.2-hf-2026-11-001.7 (valid SemVer and Maven).
// <base> is what VERSION_CMD prints (package.json's version, the POM's, or the newest v* tag),
// 0.0.0 when it prints nothing. Unique per build, so a published artifact is never replaced.
String call(Map config) {
    String printed = hotfixRun(label: 'base version', command: config.VERSION_CMD, returnStdout: true).trim()
    List<String> lines = printed ? printed.readLines() : []
    // The last line printed, without SemVer build metadata (+...).
    String base = lines ? (lines.last().trim().tokenize('+').find() ?: '') : ''
    if (!(base ==~ '[0-9A-Za-z][0-9A-Za-z._-]*')) {
        echo "hotfix: VERSION_CMD printed no usable version ('${base}'); using 0.0.0"
        base = '0.0.0'
    }
    String version = "${base}-${env.HOTFIX_ID.toLowerCase()}.${env.BUILD_NUMBER}"
    echo "hotfix: artifact version ${version}"
    return version
}
