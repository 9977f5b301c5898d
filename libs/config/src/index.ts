export { adapters, feelLimits, loadSettings, loadSettingsOrExit, SETTING_NAMES, SettingsError, type Settings } from './settings';
