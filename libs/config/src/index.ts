export { adapters, feelLimits, loadSettings, loadSettingsOrExit, printableSettings, redact, SETTING_NAMES, SettingsError, type Settings } from './settings';
