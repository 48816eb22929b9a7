// hotfixCallback: report this build to the hotfix service (CONTRACT.md section 5) with
// resources/hotfix/hotfix-callback.sh, signed with the Jenkins credential
// 'hotfix-callback-secret'. See hotfixCallback.txt for the arguments.
import groovy.transform.Field

@Field static final String CREDENTIALS_ID = 'hotfix-callback-secret'
@Field static final String ARCHIVE_NAME = 'hotfix-callback.json'
@Field static final Map<String, String> FINAL_STATUS = [
    SUCCESS: 'SUCCESS',
    UNSTABLE: 'UNSTABLE',
    FAILURE: 'FAILURE',
    ABORTED: 'ABORTED',
    // Nothing ran (e.g. stopped before the first stage): the contract has no NOT_BUILT.
    NOT_BUILT: 'ABORTED',
]
@Field static final int EX_REFUSED = 65
@Field static final int EX_TEMPFAIL = 75

// Maps the shell-script arguments from the environment, so no value is ever spliced into the
// script text (no quoting bugs, no injection through a parameter).
@Field static final String SEND = '''#!/bin/bash
set +x
set -eu
# Never leave an older report behind to be archived as this build's.
if [[ -n ${HOTFIX_CB_OUT:-} ]]; then rm -f -- "$HOTFIX_CB_OUT"; fi
args=(--status "$HOTFIX_CB_STATUS")
if [[ -n ${HOTFIX_CB_COMMIT:-} ]]; then args+=(--commit "$HOTFIX_CB_COMMIT"); fi
if [[ -n ${HOTFIX_CB_ARTIFACT_URL:-} ]]; then
  args+=(--artifact-version "$HOTFIX_CB_ARTIFACT_VERSION" --artifact-url "$HOTFIX_CB_ARTIFACT_URL")
fi
if [[ -n ${HOTFIX_CB_QA_URL:-} ]]; then args+=(--qa-url "$HOTFIX_CB_QA_URL"); fi
if [[ -n ${HOTFIX_CB_OUT:-} ]]; then args+=(--out "$HOTFIX_CB_OUT"); fi
if [[ -n ${HOTFIX_CB_DRY_RUN:-} ]]; then args+=(--dry-run); fi
exec bash "$HOTFIX_CB_SCRIPT" "${args[@]}"
'''

/** The contract's status for how the build stands now (for `post { always { } }`). */
String finalStatus() {
    return FINAL_STATUS[currentBuild.currentResult] ?: 'FAILURE'
}

// Exception is caught on purpose: a callback that cannot be sent must not change the build's
// result (the service polls Jenkins for it). An abort (InterruptedException) still goes through.
@SuppressWarnings('CatchException')
void call(Map args = [:]) {
    String status = args.status ?: finalStatus()
    boolean success = status == 'SUCCESS'
    Map artifact = success && args.artifact ? (Map) args.artifact : [:]
    List<String> vars = [
        "HOTFIX_CB_STATUS=${status}",
        "HOTFIX_CB_COMMIT=${args.commit ?: ''}",
        "HOTFIX_CB_ARTIFACT_VERSION=${artifact.version ?: ''}",
        "HOTFIX_CB_ARTIFACT_URL=${artifact.url ?: ''}",
        "HOTFIX_CB_QA_URL=${success && args.qaUrl ? args.qaUrl : ''}",
        "HOTFIX_CB_OUT=${args.archive ? ARCHIVE_NAME : ''}",
    ]
    // STARTED is a courtesy (the service polls Jenkins anyway): do not hold the build up long.
    if (status == 'STARTED' && !env.HOTFIX_CALLBACK_RETRIES) {
        vars << 'HOTFIX_CALLBACK_RETRIES=2'
    }
    int rc = -1
    String problem = null
    try {
        vars << "HOTFIX_CB_SCRIPT=${hotfixScript('hotfix-callback.sh')}"
        String credentialsId = args.credentialsId ?: CREDENTIALS_ID
        withCredentials([string(credentialsId: credentialsId, variable: 'HOTFIX_CALLBACK_SECRET')]) {
            withEnv(vars) {
                rc = sh(label: "hotfix callback: ${status}", returnStatus: true, script: SEND)
            }
        }
    } catch (InterruptedException stop) {
        throw stop
    } catch (Exception err) {
        problem = "could not send the ${status} callback: ${err.message}"
    } finally {
        if (args.archive) {
            archiveBody(vars)
        }
    }
    if (problem == null && rc != 0) {
        problem = failure(status, rc)
    }
    if (problem != null) {
        if (args.failOnError) {
            error("hotfix: ${problem}")
        }
        echo "WARNING hotfix: ${problem}"
    }
}

String failure(String status, int rc) {
    if (rc == EX_REFUSED) {
        return "the hotfix service refused the ${status} callback (see above): check the credential " +
            "'${CREDENTIALS_ID}', the agent's clock and CALLBACK_URL"
    }
    if (rc == EX_TEMPFAIL) {
        return "the hotfix service did not take the ${status} callback after every retry; " +
            'it will learn the result by polling Jenkins'
    }
    return "the ${status} callback failed (hotfix-callback.sh exit ${rc})"
}

/**
 * Archives the final callback's JSON as hotfix-callback.json: the service reads it when it
 * makes up for a lost callback by polling, so it is written even when nothing could be sent.
 */
@SuppressWarnings('CatchException')
void archiveBody(List<String> vars) {
    try {
        if (!fileExists(ARCHIVE_NAME)) {
            withEnv(vars + ['HOTFIX_CB_DRY_RUN=1']) {
                sh(label: 'hotfix callback: record the final report', script: SEND)
            }
        }
        archiveArtifacts(artifacts: ARCHIVE_NAME, allowEmptyArchive: false, fingerprint: false)
    } catch (InterruptedException stop) {
        throw stop
    } catch (Exception err) {
        echo "WARNING hotfix: could not archive ${ARCHIVE_NAME}: ${err.message}"
    }
}
