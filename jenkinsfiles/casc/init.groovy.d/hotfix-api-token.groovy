/*
 * Gives the hotfix service's Jenkins user a fixed API token taken from the environment, so the
 * service's `jenkins.apiToken` can be set before Jenkins first starts. JCasC cannot set API
 * tokens (configuration-as-code-plugin issue 1830); Jenkins runs $JENKINS_HOME/init.groovy.d/*
 * after JCasC has created the user. Copy this file there (the jenkins/jenkins image copies
 * /usr/share/jenkins/ref/init.groovy.d/ into it).
 *
 *   JENKINS_HOTFIX_USER   the user (default hotfix-bot), created by casc/jenkins.yaml
 *   JENKINS_API_TOKEN     "11" and 32 hex digits, e.g. `echo 11$(openssl rand -hex 16)`: the
 *                         same value the hotfix service is given as JENKINS_API_TOKEN
 *
 * Runs at every start: the token named 'hotfix-service' is replaced, so changing the variable
 * and restarting rotates it.
 */
import hudson.model.User
import jenkins.security.ApiTokenProperty

import java.util.logging.Logger

Logger log = Logger.getLogger('hotfix-api-token')
String userId = System.getenv('JENKINS_HOTFIX_USER') ?: 'hotfix-bot'
String token = System.getenv('JENKINS_API_TOKEN') ?: ''
String tokenName = 'hotfix-service'

if (!token) {
    log.warning('JENKINS_API_TOKEN is not set: the hotfix service has no API token for Jenkins')
    return
}
if (!(token ==~ /11[0-9a-f]{32}/)) {
    log.severe('JENKINS_API_TOKEN must be "11" followed by 32 lower-case hex digits; no token was set')
    return
}
User user = User.getById(userId, false)
if (user == null) {
    log.severe("user ${userId} does not exist (casc/jenkins.yaml creates it); no token was set")
    return
}
ApiTokenProperty tokens = user.getProperty(ApiTokenProperty)
if (tokens == null) {
    tokens = new ApiTokenProperty()
    user.addProperty(tokens)
}
tokens.tokenList.findAll { info -> info.name == tokenName }.each { info ->
    tokens.tokenStore.revokeToken(info.uuid)
}
tokens.tokenStore.addFixedNewToken(tokenName, token)
user.save()
log.info("API token '${tokenName}' set for ${userId}")
