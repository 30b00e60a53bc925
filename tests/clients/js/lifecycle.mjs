// A user's program on the JavaScript SDKs at their default api-versions (no apiVersion option), run by
// tests/clients/test_js_sdk.py: a workspace, a DICOM service and a Device Update account, each created,
// read, listed, tagged and deleted in the resource group ARM_EMULATOR_GROUP (made by the test).
// It prints one JSON document: each client's apiVersion, every call it made (method, URL, status) and
// the fields the SDKs read back; a step that throws ends it with `failedStep` and the error, exit code 1.
import { ClientSecretCredential } from "@azure/identity";
import { HealthcareApisManagementClient } from "@azure/arm-healthcareapis";
import { DeviceUpdate } from "@azure/arm-deviceupdate";

const endpoint = process.env.ARM_EMULATOR_URL;
const group = process.env.ARM_EMULATOR_GROUP;
const [workspace, dicom, account] = ["ARM_EMULATOR_WORKSPACE", "ARM_EMULATOR_DICOM", "ARM_EMULATOR_ACCOUNT"].map(
  (name) => process.env[name],
);
const credential = new ClientSecretCredential(
  process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_ID, process.env.AZURE_CLIENT_SECRET,
  { authorityHost: endpoint, disableInstanceDiscovery: true },
);
const options = { endpoint, credentialScopes: [`${endpoint}/.default`] };
const health = new HealthcareApisManagementClient(credential, process.env.AZURE_SUBSCRIPTION_ID, options);
const adu = new DeviceUpdate(credential, process.env.AZURE_SUBSCRIPTION_ID, options);
// The JS SDKs sleep before their first poll (2 s by default).
const lro = { updateIntervalInMs: 100 };

const calls = [];
for (const client of [health, adu]) {
  client.pipeline.addPolicy({
    name: "recorder",
    async sendRequest(request, next) {
      const response = await next(request);
      calls.push({ method: request.method, url: request.url, status: response.status });
      return response;
    },
  });
}

const models = {};
const names = async (iterator) => {
  const found = [];
  for await (const item of iterator) found.push(item.name);
  return found;
};
const gone = async (read) => {
  try {
    await read();
    return false;
  } catch (error) {
    if (error.statusCode === 404) return true;
    throw error;
  }
};

let step = "create workspace";
try {
  const created = await health.workspaces.beginCreateOrUpdateAndWait(group, workspace, { location: "eastus" }, lro);
  models["workspace created"] = { provisioningState: created.properties.provisioningState };
  step = "create DICOM service";
  const made = await health.dicomServices.beginCreateOrUpdateAndWait(
    group, workspace, dicom, { location: "eastus" }, lro,
  );
  models["dicom created"] = { provisioningState: made.provisioningState, serviceUrl: made.serviceUrl };

  step = "get workspace and DICOM service";
  const got = await health.workspaces.get(group, workspace);
  models.workspace = { name: got.name, provisioningState: got.properties.provisioningState };
  const shown = await health.dicomServices.get(group, workspace, dicom);
  models.dicom = { name: shown.name, provisioningState: shown.provisioningState, serviceUrl: shown.serviceUrl };

  step = "list workspaces and DICOM services";
  models["workspaces in group"] = await names(health.workspaces.listByResourceGroup(group));
  models["dicom services"] = await names(health.dicomServices.listByWorkspace(group, workspace));

  step = "tag workspace and DICOM service";
  const tagged = await health.workspaces.beginUpdateAndWait(group, workspace, { tags: { team: "imaging" } }, lro);
  models["workspace tagged"] = { tags: tagged.tags, provisioningState: tagged.properties.provisioningState };
  // (group, DICOM service, workspace): the SDK's order for update and delete.
  const taggedDicom = await health.dicomServices.beginUpdateAndWait(group, dicom, workspace, { tags: { env: "test" } }, lro);
  models["dicom tagged"] = { tags: taggedDicom.tags, provisioningState: taggedDicom.provisioningState };

  step = "create Device Update account";
  const createdAccount = await adu.accounts.beginCreateAndWait(group, account, { location: "westus2" }, lro);
  models["account created"] = {
    provisioningState: createdAccount.provisioningState,
    hostName: createdAccount.hostName,
    sku: createdAccount.sku,
  };
  step = "get, head and list Device Update account";
  models.account = { name: (await adu.accounts.get(group, account)).name };
  models["account head"] = (await adu.accounts.head(group, account)).body;
  models["accounts in group"] = await names(adu.accounts.listByResourceGroup(group));
  step = "tag Device Update account";
  const taggedAccount = await adu.accounts.beginUpdateAndWait(group, account, { tags: { k: "v" } }, lro);
  models["account tagged"] = { tags: taggedAccount.tags, provisioningState: taggedAccount.provisioningState };

  step = "delete Device Update account";
  await adu.accounts.beginDeleteAndWait(group, account, lro);
  models["account gone"] = await gone(() => adu.accounts.get(group, account));
  step = "delete DICOM service";
  await health.dicomServices.beginDeleteAndWait(group, dicom, workspace, lro);
  models["dicom gone"] = await gone(() => health.dicomServices.get(group, workspace, dicom));
  step = "delete workspace";
  await health.workspaces.beginDeleteAndWait(group, workspace, lro);
  models["workspace gone"] = await gone(() => health.workspaces.get(group, workspace));
  step = null;
} catch (error) {
  models.error = `${error.statusCode ?? ""} ${error.code ?? ""} ${error.message}`;
}

console.log(JSON.stringify({
  defaults: { "Microsoft.HealthcareApis": health.apiVersion, "Microsoft.DeviceUpdate": adu.apiVersion },
  calls,
  models,
  ...(step ? { failedStep: step, error: models.error } : {}),
}));
process.exitCode = step ? 1 : 0;
