// hotfixSetting('NAME'[, fallback]): a setting the Jenkins administrator owns, from the
// environment Jenkins gives every build (Manage Jenkins > System > Global properties, or
// JCasC `globalNodeProperties`). `HOTFIX_<SERVICE>_<NAME>` (the SERVICE parameter upper-cased,
// other characters as `_`) wins over `HOTFIX_<NAME>`, so one Jenkins can serve many services.
String call(String name, String fallback = null) {
    String service = (env.SERVICE ?: '').toUpperCase().replaceAll('[^A-Z0-9]', '_')
    String perService = service ? env.getProperty("HOTFIX_${service}_${name}") : null
    return perService ?: env.getProperty("HOTFIX_${name}") ?: fallback
}
