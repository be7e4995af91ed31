export {
  loadSharedResourcesTemplate,
  packageService,
  TEMPLATE_FILE,
  type CfnTemplate,
  type LoadTemplateOptions,
  type PackageServiceOptions,
} from './cfn';
export {
  provisionFromTemplate,
  SKIPPED_LOGICAL_IDS,
  SKIPPED_TYPES,
  type ProvisionOptions,
} from './provision';
export { serviceParams } from './compose-params';
