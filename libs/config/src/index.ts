export { adapters, AUTH_MODES, type AuthMode, feelLimits, loadSettings, loadSettingsOrExit, printableSettings, redact, SETTING_NAMES, SettingsError, withSetting, type Settings } from './settings';
