/**
 * The console's reusable form components (controlled: `{ value, onChange }`), for the flow
 * editor's inspector and any page that edits a flow's parts. Their pure models sit beside them.
 */
export { ConditionBuilder, type ConditionBuilderProps } from './condition-builder.tsx';
export {
  ExecutionSettings,
  type ExecutionSettingsProps,
  type Person,
} from './execution-settings.tsx';
export { FlowManager, type FlowManagerProps, type PilotGlobal } from './flow-manager.tsx';
export { TemplateInput, type TemplateInputProps } from './template-input.tsx';
export { scopeVariables, type TemplateScope } from './template-model.ts';
export { UrlRules, type UrlRulesProps } from './url-rules.tsx';
