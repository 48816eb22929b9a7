// hotfixScript('name.sh'): copies the library's resources/hotfix/name.sh into this build's
// temporary directory (beside the workspace, never inside the checked-out repository) and
// returns its path, to be run with `bash <path>`.
String call(String name) {
    String path = "${pwd(tmp: true)}/hotfix-library/${name}"
    writeFile(file: path, text: libraryResource("hotfix/${name}"), encoding: 'UTF-8')
    return path
}
