// src/storage/swift_auth.cc — where Swift credentials come from (environment, clouds.yaml).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>

#include "thunderdome/core/error.h"
#include "thunderdome/storage/swift.h"

namespace td::storage {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// Where openstacksdk looks for `file` (clouds.yaml or secure.yaml): the variable's file first,
// then ./, ~/.config/openstack/, /etc/openstack/.
std::vector<std::filesystem::path> configCandidates(const char* variable, const char* file) {
  std::vector<std::filesystem::path> candidates;
  if (!env(variable).empty()) candidates.emplace_back(env(variable));
  candidates.emplace_back(file);
  if (!env("HOME").empty())
    candidates.emplace_back(std::filesystem::path(env("HOME")) / ".config/openstack" / file);
  candidates.emplace_back(std::filesystem::path("/etc/openstack") / file);
  return candidates;
}

YAML::Node loadYaml(const std::filesystem::path& p) {
  try {
    return YAML::LoadFile(p.string());
  } catch (const YAML::Exception& e) {
    throw IoError(fmt::format("cannot parse {}: {}", p.string(), e.what()));
  }
}

// Deep-merges `over` into `base` (maps key by key, anything else replaced), as openstacksdk
// merges secure.yaml into clouds.yaml.
YAML::Node mergeYaml(const YAML::Node& base, const YAML::Node& over) {
  if (!base || !base.IsMap() || !over.IsMap()) return YAML::Clone(over);
  YAML::Node out = YAML::Clone(base);
  for (const auto& kv : over) {
    const auto key = kv.first.as<std::string>();
    out[key] = mergeYaml(out[key], kv.second);
  }
  return out;
}

// Reads OS_CLOUD's entry from the first clouds.yaml found, merged with the same cloud's entry in
// the first secure.yaml found (where Horizon-style set-ups keep the password), as the OpenStack
// client does.
void loadCloudsYaml(const std::string& cloud, SwiftCredentials& c) {
  YAML::Node secure;
  for (const auto& p : configCandidates("OS_CLIENT_SECURE_FILE", "secure.yaml")) {
    if (!std::filesystem::exists(p)) continue;
    secure = loadYaml(p)["clouds"][cloud];
    break;
  }
  for (const auto& p : configCandidates("OS_CLIENT_CONFIG_FILE", "clouds.yaml")) {
    if (!std::filesystem::exists(p)) continue;
    const YAML::Node root = loadYaml(p);
    YAML::Node entry = root["clouds"][cloud];
    if (!entry) continue;
    if (secure && secure.IsMap()) entry = mergeYaml(entry, secure);
    auto str = [](const YAML::Node& n, const char* key) {
      return n && n[key] ? n[key].as<std::string>() : std::string();
    };
    const YAML::Node auth = entry["auth"];
    c.authUrl = str(auth, "auth_url");
    c.username = str(auth, "username");
    c.password = str(auth, "password");
    if (!str(auth, "user_domain_name").empty()) c.userDomainName = str(auth, "user_domain_name");
    c.userDomainId = str(auth, "user_domain_id");
    c.projectName = str(auth, "project_name");
    c.projectId = str(auth, "project_id");
    if (!str(auth, "project_domain_name").empty())
      c.projectDomainName = str(auth, "project_domain_name");
    c.projectDomainId = str(auth, "project_domain_id");
    c.appCredentialId = str(auth, "application_credential_id");
    c.appCredentialSecret = str(auth, "application_credential_secret");
    c.appCredentialName = str(auth, "application_credential_name");
    c.regionName = str(entry, "region_name");
    if (!str(entry, "interface").empty()) c.interface = str(entry, "interface");
    c.cacert = str(entry, "cacert");
    if (entry["verify"]) c.verifyTls = entry["verify"].as<bool>();
    const std::string authType = str(entry, "auth_type");
    c.method = (authType == "v3applicationcredential" || !c.appCredentialId.empty())
                   ? SwiftCredentials::Method::kKeystoneAppCredential
                   : SwiftCredentials::Method::kKeystonePassword;
    if (c.authUrl.empty())
      throw IoError(fmt::format("{}: cloud '{}' has no auth.auth_url", p.string(), cloud));
    return;
  }
  throw IoError(fmt::format("OS_CLOUD={} but no clouds.yaml (./clouds.yaml, "
                            "~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml) has "
                            "a cloud of that name",
                            cloud));
}

}  // namespace

SwiftCredentials SwiftCredentials::fromEnvironment() {
  SwiftCredentials c;
  c.cacert = env("OS_CACERT");
  if (!env("OS_STORAGE_URL").empty() && !env("OS_AUTH_TOKEN").empty()) {
    c.method = Method::kPreauthenticated;
    c.storageUrl = env("OS_STORAGE_URL");
    c.token = env("OS_AUTH_TOKEN");
    return c;
  }
  if (!env("OS_CLOUD").empty()) {
    loadCloudsYaml(env("OS_CLOUD"), c);
    return c;
  }
  if (!env("OS_AUTH_URL").empty()) {
    c.authUrl = env("OS_AUTH_URL");
    c.username = env("OS_USERNAME");
    c.password = env("OS_PASSWORD");
    if (!env("OS_USER_DOMAIN_NAME").empty()) c.userDomainName = env("OS_USER_DOMAIN_NAME");
    c.userDomainId = env("OS_USER_DOMAIN_ID");
    c.projectName = env("OS_PROJECT_NAME");
    if (c.projectName.empty()) c.projectName = env("OS_TENANT_NAME");
    c.projectId = env("OS_PROJECT_ID");
    if (!env("OS_PROJECT_DOMAIN_NAME").empty()) c.projectDomainName = env("OS_PROJECT_DOMAIN_NAME");
    c.projectDomainId = env("OS_PROJECT_DOMAIN_ID");
    c.regionName = env("OS_REGION_NAME");
    if (!env("OS_INTERFACE").empty()) c.interface = env("OS_INTERFACE");
    c.appCredentialId = env("OS_APPLICATION_CREDENTIAL_ID");
    c.appCredentialSecret = env("OS_APPLICATION_CREDENTIAL_SECRET");
    c.appCredentialName = env("OS_APPLICATION_CREDENTIAL_NAME");
    c.method = !c.appCredentialId.empty() || !c.appCredentialName.empty()
                   ? Method::kKeystoneAppCredential
                   : Method::kKeystonePassword;
    return c;
  }
  if (!env("ST_AUTH").empty()) {
    c.method = Method::kV1;
    c.authUrl = env("ST_AUTH");
    c.username = env("ST_USER");
    c.password = env("ST_KEY");
    return c;
  }
  throw IoError(
      "no OpenStack credentials: set OS_AUTH_URL with OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME "
      "(or OS_APPLICATION_CREDENTIAL_ID/SECRET), or OS_CLOUD with a clouds.yaml, or "
      "OS_STORAGE_URL with OS_AUTH_TOKEN, or ST_AUTH/ST_USER/ST_KEY for tempauth");
}

std::string SwiftCredentials::who() const {
  switch (method) {
    case Method::kPreauthenticated: return "a pre-authenticated token (OS_AUTH_TOKEN)";
    case Method::kKeystoneAppCredential:
      return fmt::format("application credential '{}'",
                         appCredentialId.empty() ? appCredentialName : appCredentialId);
    case Method::kKeystonePassword:
      return fmt::format("user '{}' in project '{}'", username,
                         projectName.empty() ? projectId : projectName);
    case Method::kV1: return fmt::format("user '{}'", username);
  }
  return "?";
}

}  // namespace td::storage
